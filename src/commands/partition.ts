import {BaseCommand} from '../base-command.js'
import {runbookFlags, runRunbookCommand, wipeFlags} from '../engine/runbook-command.js'

export default class Partition extends BaseCommand {
  static summary = 'Partition storage.disk on both nodes, equal sizes; refuses disks that hold data.'
  static description = 'Runs the "partition" runbook (see runbooks/partition.yaml). Safe to run again: converged steps change nothing.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --dry-run', '<%= config.bin %> <%= command.id %> --wipe']
  static flags = {...runbookFlags, ...wipeFlags}

  async run() {
    const {flags} = await this.parse(Partition)
    return runRunbookCommand({command: 'partition', runbook: 'partition', configFile: flags.config, flags, json: this.jsonEnabled(), interactive: this.interactive, print: (t) => this.log(t)})
  }
}
