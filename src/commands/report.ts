import {existsSync, statSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import {Flags} from '@oclif/core'
import {BaseCommand, hostKeyFlags} from '../base-command.js'
import {withSession} from '../engine/session.js'
import {HAPAIR_VERSION} from '../engine/version.js'
import {UsageError} from '../errors.js'
import {collectReport, defaultReportFile, writeReport, type NodeReport} from '../report/bundle.js'
import {SINCE_RE} from '../report/node-collect.js'

export default class Report extends BaseCommand {
  static summary = 'Collect a support bundle (tar.gz) from this machine and every node that answers.'
  static description =
    'The cluster file (never the secrets file), the state file and the latest run logs; per node: /proc/drbd, drbdadm status and dump, ip addr, exports, the HA manager\'s config files (secret values replaced on the node), systemctl status and journal of the stack\'s units. An unreachable node is named in the index with the reason and the others are still collected. The bundle is scanned for every secret value before it is written and refused if it holds one.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --since "2 hours ago" -o /tmp/case-1234.tar.gz']
  static flags = {
    ...hostKeyFlags,
    output: Flags.string({char: 'o', summary: 'Where to write the bundle (default: hapair-report-<cluster>-<time>.tar.gz here).'}),
    since: Flags.string({summary: 'Journal entries since this time, as journalctl takes it ("2 hours ago", "2026-12-07 10:00"); default: the last 500 lines.'}),
  }

  async run(): Promise<{file: string; bytes: number; nodes: NodeReport[]; files: string[]}> {
    const {flags} = await this.parse(Report)
    // Checked before any connection: a bad value here must not cost a round of SSH.
    if (flags.since !== undefined && !SINCE_RE.test(flags.since)) throw new UsageError(`--since ${JSON.stringify(flags.since)} is not a time journalctl takes`, 'use letters, digits, spaces and : . + -, e.g. --since "2 hours ago" or --since "2026-12-07 10:00"')
    const output = flags.output === undefined ? undefined : resolve(flags.output)
    if (output) checkOutput(output)
    const now = new Date()
    const opts = {configFile: flags.config, command: 'report', acceptNewHostKeys: flags['accept-new-host-keys'], interactive: this.interactive, lock: false, partial: true}
    const result = await withSession(opts, async (s) => {
      const file = output ?? resolve(defaultReportFile(s.cluster.config.name, now))
      const report = await collectReport({cluster: s.cluster, hosts: s.hosts, unreachable: s.unreachable, stateDir: s.stateDir, secrets: s.secrets, hapairVersion: HAPAIR_VERSION, now, since: flags.since})
      return {file, bytes: await writeReport(file, report, now), nodes: report.nodes, files: report.files}
    })
    for (const n of result.nodes) this.log(`${n.node}: ${n.reachable ? (n.error ? n.error : `${n.files.length} files`) : `UNREACHABLE (${n.error})`}`)
    this.log(`Wrote ${result.file} (${result.files.length} files, ${result.bytes} bytes). Secrets are not in it.`)
    return result
  }
}

function checkOutput(file: string): void {
  if (existsSync(file)) throw new UsageError(`${file} already exists; report does not overwrite it`, 'choose another --output, or remove the old bundle')
  const dir = dirname(file)
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a directory, so ${file} cannot be written`, 'create the directory first, or choose another --output')
}
