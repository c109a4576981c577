import {Args} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {runbookFlags, runRunbookCommand, syncFlags, wipeFlags} from '../engine/runbook-command.js'
import {runbookNames} from '../engine/runbook-file.js'

export default class Run extends BaseCommand {
  static summary = 'Run a runbook: ordered steps that check each node and repair only what differs.'
  static description = `Runbooks live in runbooks/ (${runbookNames().join(', ')}). Every step reads the real state first; a second run changes nothing and says so.`
  static examples = [
    '<%= config.bin %> <%= command.id %> nfs-keepalived',
    '<%= config.bin %> <%= command.id %> nfs-keepalived --dry-run',
    '<%= config.bin %> <%= command.id %> drbd-init --from drbd.primary',
    '<%= config.bin %> <%= command.id %> nfs-keepalived --only nfs.config,keepalived.config --json',
    '<%= config.bin %> <%= command.id %> nfs-keepalived --limit node2 --dry-run',
  ]
  static args = {runbook: Args.string({description: 'Runbook name (file in runbooks/) or path to a runbook YAML.', required: true})}
  static flags = {...runbookFlags, ...wipeFlags, ...syncFlags}

  async run() {
    const {args, flags} = await this.parse(Run)
    return runRunbookCommand({command: `run ${args.runbook}`, runbook: args.runbook, configFile: flags.config, flags, json: this.jsonEnabled(), interactive: this.interactive, print: (t) => this.log(t)})
  }
}
