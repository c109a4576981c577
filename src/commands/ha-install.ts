import {BaseCommand} from '../base-command.js'
import {runbookFlags, runRunbookCommand} from '../engine/runbook-command.js'
import {readyStackOf} from '../stacks/registry.js'

export default class HaInstall extends BaseCommand {
  static summary = "Install and configure the cluster's HA stack (the service, its checks and failover scripts)."
  static description = "Runs the HA-layer runbook of the cluster file's stack (for stack: keepalived serving nfs, runbooks/ha-keepalived.yaml: NFS exports, keepalived config, notify and health-check scripts). A stack whose steps are not built yet is refused before any connection."
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --dry-run', '<%= config.bin %> <%= command.id %> --limit node2', '<%= config.bin %> <%= command.id %> -c /etc/hapair/hapair.yaml --json']
  static flags = {...runbookFlags}

  async run() {
    const {flags} = await this.parse(HaInstall)
    return runRunbookCommand({command: 'ha-install', runbook: (config) => readyStackOf(config).haInstallRunbook, configFile: flags.config, flags, json: this.jsonEnabled(), interactive: this.interactive, print: (t) => this.log(t)})
  }
}
