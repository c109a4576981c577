import {Flags} from '@oclif/core'
import {BaseCommand, forceDistroFlag, hostKeyFlags} from '../base-command.js'
import {withSession} from '../engine/session.js'
import {CommandFailed, ExitCode} from '../errors.js'
import type {PreflightResult} from '../preflight/run.js'

export default class Preflight extends BaseCommand {
  static summary = 'Check both nodes are ready for the cluster; --fix repairs what is safe.'
  static description =
    'Checks SSH and sudo, hostname = node name, name resolution on both nodes, time sync, distro and package manager, the DRBD module, the firewall (the ports and protocols the stack needs) and SELinux. Each finding is ok, warn or fail with its fix. --fix adds /etc/hosts entries, opens firewall ports and switches time sync on; nothing else. Exit code 3 when a check fails.'
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --fix --dry-run',
    '<%= config.bin %> <%= command.id %> --fix',
    '<%= config.bin %> <%= command.id %> --json',
  ]
  static flags = {
    ...hostKeyFlags,
    fix: Flags.boolean({summary: 'Repair what is safe: /etc/hosts entries, firewall openings, time sync.', default: false}),
    'dry-run': Flags.boolean({char: 'n', summary: 'With --fix: show the repairs (commands and file diffs) and change nothing.', default: false}),
    ...forceDistroFlag,
  }

  async run(): Promise<PreflightResult> {
    const {flags} = await this.parse(Preflight)
    const print = (line: string) => !this.jsonEnabled() && this.log(line)
    const result = await withSession(
      // partial: an unreachable node is one failed ssh check; the other node is still checked in full.
      {configFile: flags.config, command: 'preflight', acceptNewHostKeys: flags['accept-new-host-keys'], interactive: this.interactive, lock: flags.fix && !flags['dry-run'], partial: true},
      // The checks are loaded once the connections are up (start-up cost: README, Benchmarks).
      async (session) => (await import('../preflight/run.js')).runPreflight(session.cluster.config, session.hosts, {fix: flags.fix, dryRun: flags['dry-run'], forceDistro: flags['force-distro'], print, unreachable: session.unreachable}),
    )
    const {findingsTable, verdictLine} = await import('../preflight/report.js')
    print(findingsTable(result.findings, process.stdout.columns || 120))
    print(verdictLine(result.findings, Boolean(result.fixes && !result.fixes.dryRun)))
    if (!result.ok) {
      const failed = result.findings.filter((f) => f.level === 'fail')
      const problems = failed.map((f) => ({node: f.node, message: `${f.check}: ${f.message}`, ...(f.fix ? {fix: f.fix} : {})}))
      throw new CommandFailed(`preflight: ${failed.length} check${failed.length === 1 ? '' : 's'} failed`, ExitCode.verifyFailed, result, problems)
    }
    return result
  }
}
