import {Flags} from '@oclif/core'
import {BaseCommand, hostKeyFlags} from '../base-command.js'
import {CommandFailed, ExitCode} from '../errors.js'
import {stackOf} from '../stacks/registry.js'
import {withSession} from '../engine/session.js'
import type {ClusterCondition} from '../status/report.js'

const EXIT: Record<ClusterCondition, number> = {healthy: ExitCode.ok, degraded: ExitCode.degraded, unhealthy: ExitCode.verifyFailed}

export default class Status extends BaseCommand {
  static summary = 'Show each node: DRBD role, connection, disk state and sync %, mount, NFS, VIP holder, HA daemon.'
  static description =
    'Reads both nodes in one call each; an unreachable node is shown as such, with the reason, and the other in full. Detects and explains a DRBD split brain. Exit code 0 healthy, 4 degraded (one node unreachable, the other serving alone), 3 any other unhealthy state.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json', '<%= config.bin %> <%= command.id %> --watch']
  static flags = {
    ...hostKeyFlags,
    watch: Flags.boolean({char: 'w', summary: 'Refresh every --interval seconds until Ctrl-C.', default: false}),
    interval: Flags.integer({summary: 'Seconds between refreshes with --watch.', default: 2, min: 1}),
  }

  async run() {
    const {flags} = await this.parse(Status)
    const opts = {configFile: flags.config, command: 'status', acceptNewHostKeys: flags['accept-new-host-keys'], interactive: this.interactive, lock: false, partial: true}
    // What runs after the connections are up is loaded after them (start-up cost: README, Benchmarks).
    const later = () => Promise.all([import('../stacks/serving-shape.js'), import('../status/read.js'), import('../status/report.js')])
    const report = await withSession(opts, async ({cluster, hosts, unreachable}) => {
      const [{servingShape}, {readStatus}, {renderStatus}] = await later()
      const shape = servingShape(stackOf(cluster.config))
      let last = await readStatus(cluster.config, shape, hosts, unreachable)
      while (flags.watch && !this.jsonEnabled()) {
        process.stdout.write(`${process.stdout.isTTY ? '\x1b[2J\x1b[H' : ''}${new Date().toISOString()}\n${renderStatus(last)}\n`)
        await new Promise((r) => setTimeout(r, flags.interval * 1000))
        last = await readStatus(cluster.config, shape, hosts, unreachable)
      }
      return last
    })
    const [, , {conditionLine, renderStatus}] = await later()
    if (!this.jsonEnabled()) this.log(renderStatus(report))
    if (report.condition !== 'healthy') throw new CommandFailed(conditionLine(report), EXIT[report.condition], report, report.problems.map((message) => ({message})))
    return report
  }
}
