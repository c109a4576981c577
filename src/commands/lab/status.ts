import {LabPlainCommand} from '../../lab/lab-plain-command.js'
import {labStatus, type LabStatus} from '../../lab/index.js'

export default class LabStatusCommand extends LabPlainCommand {
  static summary = 'Show whether the lab is up and the state of each guest'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static enableJsonFlag = true

  async run(): Promise<LabStatus> {
    await this.parse(LabStatusCommand)
    const status = await labStatus({probeSsh: true})
    this.log(`Lab ${status.up ? 'up' : 'down'} (${status.dir})${status.split ? ' — SPLIT: guests cannot reach each other' : ''}`)
    for (const g of status.guests) {
      this.log(`  ${g.name.padEnd(6)} ${g.address.padEnd(14)} ${g.state.padEnd(8)} pid ${g.pid ?? '-'}  ssh ${g.ssh ? 'ok' : 'no'}`)
    }
    if (status.clusterFile) this.log(`Cluster file: ${status.clusterFile}`)
    return status
  }
}
