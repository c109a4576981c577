import {BaseCommand} from '../base-command.js'
import {runbookFlags, runRunbookCommand, syncFlags, wipeFlags} from '../engine/runbook-command.js'

export default class DrbdInit extends BaseCommand {
  static summary = 'Configure DRBD on both nodes, create metadata, pick the initial primary, sync, mkfs and mount.'
  static description = 'Runs the "drbd-init" runbook (see runbooks/drbd-init.yaml). Safe to run again: converged steps change nothing.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --dry-run', '<%= config.bin %> <%= command.id %> --no-wait']
  static flags = {...runbookFlags, ...wipeFlags, ...syncFlags}

  async run() {
    const {flags} = await this.parse(DrbdInit)
    return runRunbookCommand({command: 'drbd-init', runbook: 'drbd-init', configFile: flags.config, flags, json: this.jsonEnabled(), interactive: this.interactive, print: (t) => this.log(t)})
  }
}
