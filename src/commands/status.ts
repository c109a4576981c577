import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {stackOf} from '../stacks/registry.js'
import {servingShape} from '../stacks/serving-shape.js'
import {withSession} from '../engine/session.js'
import {statusProbe, type NodeStatusFacts} from '../status/probe.js'
import {renderStatus, statusReport, type StatusReport} from '../status/report.js'

export default class Status extends BaseCommand {
  static summary = 'Show each node: DRBD role, connection, disk state and sync %, mount, NFS, VIP holder, HA daemon.'
  static description = 'Reads both nodes in one call each. Detects and explains a DRBD split brain. Exit code 3 when the cluster is not healthy.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json', '<%= config.bin %> <%= command.id %> --watch']
  static flags = {
    watch: Flags.boolean({char: 'w', summary: 'Refresh every --interval seconds until Ctrl-C.', default: false}),
    interval: Flags.integer({summary: 'Seconds between refreshes with --watch.', default: 2, min: 1}),
  }

  async run() {
    const {flags} = await this.parse(Status)
    const opts = {configFile: flags.config, command: 'status', acceptNewHostKeys: flags['accept-new-host-keys'], interactive: this.interactive, lock: false}
    const report = await withSession(opts, async ({cluster, hosts}) => {
      const shape = servingShape(stackOf(cluster.config))
      const probe = statusProbe(cluster.config, shape)
      const read = async (): Promise<StatusReport> => {
        const facts: Record<string, NodeStatusFacts | {error: string}> = {}
        await Promise.all(
          [...hosts].map(async ([node, host]) => {
            const r = await host.run(probe.script, {label: 'status facts', timeoutMs: 15_000}).catch((e: Error) => ({code: -1, stdout: '', stderr: e.message}))
            facts[node] = r.code === 0 ? probe.parse(r.stdout) : {error: r.stderr.trim() || `exit ${r.code}`}
          }),
        )
        return statusReport(cluster.config, facts, shape)
      }
      let last = await read()
      while (flags.watch && !this.jsonEnabled()) {
        process.stdout.write(`${process.stdout.isTTY ? '\x1b[2J\x1b[H' : ''}${new Date().toISOString()}\n${renderStatus(last)}\n`)
        await new Promise((r) => setTimeout(r, flags.interval * 1000))
        last = await read()
      }
      return last
    })
    if (!this.jsonEnabled()) this.log(renderStatus(report))
    if (!report.healthy) process.exitCode = 3
    return report
  }
}
