/**
 * `hapair report`: one tar.gz a maintainer can read without access to the nodes, like
 * `crm report` or `pcs cluster report`. Local: the cluster file (its secrets live in the secrets
 * file, which is never read into the bundle), the state file and the latest run logs. Per node
 * that answers: the items of node-collect.ts; a node that does not answer, or fails half-way, is
 * named in the index with the reason, and the others are still collected.
 *
 * Before anything is written the whole bundle is scanned for every secret value in every form
 * (plain, hex, base64 at each alignment, decoded base64 runs): a bundle holding one is refused,
 * because a support bundle is made to be sent to someone.
 */
import {existsSync} from 'node:fs'
import {readdir, readFile} from 'node:fs/promises'
import {basename, join} from 'node:path'
import {writeFileAtomic} from '../config/atomic-write.js'
import type {LoadedCluster} from '../config/load.js'
import {HapairError, ExitCode} from '../errors.js'
import {findSecretLeaks} from '../state/secret-encodings.js'
import {stackOf} from '../stacks/registry.js'
import type {Unreachable} from '../transport/connect-all.js'
import type {Host} from '../transport/host.js'
import {nodeReportItems, nodeReportScript} from './node-collect.js'
import {tarGz, type TarEntry} from './tar.js'

export interface ReportInput {
  cluster: LoadedCluster
  hosts: Map<string, Host>
  unreachable: Map<string, Unreachable>
  /** `.hapair` beside the cluster file: state.json and logs/. */
  stateDir: string
  /** Every secret value, to scan the bundle for. */
  secrets: string[]
  hapairVersion: string
  now: Date
  since?: string
  /** Run logs to include, newest first (default 5). */
  logs?: number
}

export interface NodeReport {
  node: string
  reachable: boolean
  /** Why nothing (or not everything) was collected from it. */
  error?: string
  hint?: string
  files: string[]
}

export interface Report {
  /** The folder every file of the archive sits in. */
  folder: string
  nodes: NodeReport[]
  files: string[]
  entries: TarEntry[]
}

export async function collectReport(input: ReportInput): Promise<Report> {
  const {cluster, now} = input
  const folder = `hapair-report-${cluster.config.name}-${stamp(now)}`
  const stack = stackOf(cluster.config)
  const collect = nodeReportScript(nodeReportItems(stack, {since: input.since}))

  const local: TarEntry[] = [{path: basename(cluster.file), content: await readFile(cluster.file)}]
  const state = join(input.stateDir, 'state.json')
  if (existsSync(state)) local.push({path: 'state.json', content: await readFile(state)})
  for (const log of await recentLogs(join(input.stateDir, 'logs'), input.logs ?? 5)) local.push({path: `logs/${basename(log)}`, content: await readFile(log)})

  const nodes = await Promise.all(
    cluster.config.nodes.map(async (n): Promise<{report: NodeReport; entries: TarEntry[]}> => {
      const down = input.unreachable.get(n.name)
      const host = input.hosts.get(n.name)
      if (down || !host) {
        const error = down?.message ?? 'not connected'
        return {report: {node: n.name, reachable: false, error, ...(down?.hint && {hint: down.hint}), files: []}, entries: [{path: `${n.name}/UNREACHABLE.txt`, content: `${n.name} (${n.address}) could not be reached: ${error}\n${down?.hint ?? ''}\n`}]}
      }
      try {
        const result = await host.run(collect.script, {label: 'collect the support bundle', timeoutMs: 120_000})
        const entries = collect.entries(result.stdout, n.name)
        return {report: {node: n.name, reachable: true, files: entries.map((e) => e.path)}, entries}
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        return {report: {node: n.name, reachable: true, error: `collecting failed: ${message}`, files: []}, entries: [{path: `${n.name}/FAILED.txt`, content: `collecting from ${n.name} failed: ${message}\n`}]}
      }
    }),
  )
  const reports = nodes.map((n) => n.report)
  const body = [...local, ...nodes.flatMap((n) => n.entries)]
  const index = indexEntries({folder, cluster, reports, files: body.map((e) => e.path), version: input.hapairVersion, now, since: input.since})
  const entries = [...index, ...body].map((e) => ({...e, path: `${folder}/${e.path}`}))
  refuseSecrets(entries, input.secrets)
  return {folder, nodes: reports, files: entries.map((e) => e.path), entries}
}

/** Throws, naming each file and the encoding (never the value), when any secret is in the bundle. */
export function refuseSecrets(entries: TarEntry[], secrets: string[]): void {
  const found = entries.flatMap((e) => findSecretLeaks(Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content), secrets).map((l) => `${e.path} (${l.encoding})`))
  if (found.length === 0) return
  throw new HapairError(
    `the support bundle would hold a secret, so it was not written: ${[...new Set(found)].join(', ')}`,
    ExitCode.stepFailed,
    'Remove the secret from the file named (it should live only in the secrets file), or report the bug: hapair masks secrets in what it writes.',
  )
}

export async function writeReport(file: string, report: Report, now: Date): Promise<number> {
  const data = tarGz(report.entries, now)
  // 0600: a bundle holds addresses, logs and configuration; the operator decides whom to send it to.
  await writeFileAtomic(file, data, {mode: 0o600, overwrite: false})
  return data.length
}

export function defaultReportFile(clusterName: string, now: Date): string {
  return `hapair-report-${clusterName}-${stamp(now)}.tar.gz`
}

function stamp(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '')
}

async function recentLogs(dir: string, keep: number): Promise<string[]> {
  const names = existsSync(dir) ? (await readdir(dir)).filter((f) => f.endsWith('.log')).sort() : []
  return names.slice(-keep).map((f) => join(dir, f))
}

function indexEntries(i: {folder: string; cluster: LoadedCluster; reports: NodeReport[]; files: string[]; version: string; now: Date; since?: string}): TarEntry[] {
  const stack = stackOf(i.cluster.config)
  const json = {
    hapairVersion: i.version,
    createdAt: i.now.toISOString(),
    cluster: i.cluster.config.name,
    stack: stack.id,
    clusterFile: i.cluster.file,
    ...(i.since && {journalSince: i.since}),
    nodes: i.reports,
    files: i.files,
  }
  const lines = [
    `hapair support bundle: cluster ${json.cluster} (${stack.title}), ${json.createdAt}, hapair ${i.version}`,
    `Secrets are not included (the secrets file is never read into it; every file was scanned for them).`,
    '',
    ...i.reports.map((r) => `${r.node}: ${r.reachable ? (r.error ? `reached, but ${r.error}` : `${r.files.length} files`) : `UNREACHABLE: ${r.error}${r.hint ? ` (${r.hint})` : ''}`}`),
    '',
    'Files:',
    ...i.files.map((f) => `  ${f}`),
    '',
  ]
  return [
    {path: 'index.txt', content: lines.join('\n')},
    {path: 'index.json', content: `${JSON.stringify(json, null, 2)}\n`},
  ]
}
