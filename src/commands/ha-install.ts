import {BaseCommand} from '../base-command.js'
import {runbookFlags, runRunbookCommand} from '../engine/runbook-command.js'

export default class HaInstall extends BaseCommand {
  static summary = "Install and configure the cluster's HA stack (the service, its checks and failover scripts)."
  static description = 'Runs the runbook ha-<stack> for the stack named in the cluster file (e.g. runbooks/ha-keepalived.yaml): NFS exports, keepalived config, notify and health-check scripts.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --dry-run', '<%= config.bin %> <%= command.id %> -c /etc/hapair/hapair.yaml --json']
  static flags = {...runbookFlags}

  async run() {
    const {flags} = await this.parse(HaInstall)
    return runRunbookCommand({command: 'ha-install', runbook: (config) => `ha-${config.stack}`, configFile: flags.config, flags, json: this.jsonEnabled(), interactive: this.interactive, print: (t) => this.log(t)})
  }
}
