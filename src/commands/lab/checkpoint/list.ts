import {LabCommand} from '../../../lab/lab-command.js'
import {listCheckpoints} from '../../../lab/checkpoint.js'

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`

export default class LabCheckpointList extends LabCommand {
  static summary = 'List lab checkpoints and the disk space they use'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<Awaited<ReturnType<typeof listCheckpoints>>> {
    await this.parse(LabCheckpointList)
    const {machine, paths} = this.checkpointContext()
    const result = await listCheckpoints(machine, paths)
    if (!result.checkpoints.length) this.log('No checkpoints.')
    for (const c of result.checkpoints) {
      this.log(`${c.name.padEnd(24)} ${c.savedAt}  memory ${mib(c.vmStateBytes).padStart(8)}  ${c.restorable ? 'restorable' : `not restorable here (image ${c.imageHash})`}`)
    }
    this.log(`Guest disks holding them: ${mib(result.diskBytes)} on the host.`)
    return result
  }
}
