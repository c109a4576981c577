/**
 * Writes the cluster file the way a person would: a header saying what the file is, small maps
 * on one line in flow style (`vip: { address: ..., prefix: 24, interface: eth0 }`), lists of
 * nodes in block style, and a few comments where a value has rules of its own.
 */
import {basename, resolve} from 'node:path'
import {Document, isMap, isScalar, isSeq, type Node, type Pair} from 'yaml'
import type {z} from 'zod'
import {ConfigError} from '../errors.js'
import {writeFileAtomic} from './atomic-write.js'
import {parseClusterText} from './load.js'
import {STACKS, clusterSchema, type ClusterConfig} from './schema.js'
import {serviceOf, stackFor} from '../stacks/registry.js'
import {secretsPathFor} from './secrets.js'

/** What a cluster file may say before defaults are applied (a parsed ClusterConfig also fits). */
export type ClusterInput = z.input<typeof clusterSchema>

/** Beyond this many characters a map goes on several lines. */
const FLOW_MAX = 100

export function renderClusterYaml(config: ClusterInput, opts: {fileName?: string} = {}): string {
  const ordered = orderKeys(config as Record<string, unknown>, Object.keys(clusterSchema.shape))
  const doc = new Document(ordered)
  const secretsName = basename(secretsPathFor(opts.fileName ?? 'hapair.yaml'))
  const stack = stackFor(config.stack, serviceOf(config as ClusterConfig))
  const what = `${stack?.title ?? 'a two-node cluster'}, two nodes acting as one`
  doc.commentBefore = [
    ` hapair cluster file: ${what}.`,
    ` Every hapair command validates it before connecting to a node. Secrets (DRBD shared-secret,`,
    ` keepalived auth_pass, corosync/heartbeat keys) live in ${secretsName} (mode 0600), never here.`,
  ].join('\n')
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items as Pair<Node, Node>[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : ''
      if (key === 'stack' && pair.value) pair.value.comment = ` ${STACKS.join(' | ')}`
      if (key === 'nodes' && isSeq(pair.value)) {
        for (const node of pair.value.items) {
          if (!isMap(node)) continue
          for (const p of node.items as Pair<Node, Node>[]) {
            if (isScalar(p.key) && p.key.value === 'name' && p.value) p.value.comment = ' must equal `uname -n` on that host'
            if (p.value) shorten(p.value)
          }
        }
        continue
      }
      if (pair.value) shorten(pair.value)
      if (key === 'storage' && pair.value) pair.value.comment = ' size may be "rest"'
      if (key === 'keepalived' && pair.value) pair.value.comment = ' virtualRouterId: unique on this LAN'
    }
  }
  return doc.toString({lineWidth: 0, flowCollectionPadding: true, indentSeq: true})
}

/** Flow style when the collection fits on a line; otherwise block style with its children shortened. */
function shorten(node: Node): void {
  if (!isMap(node) && !isSeq(node)) return
  node.flow = true
  if (new Document(node).toString({lineWidth: 0, flowCollectionPadding: true}).trim().length <= FLOW_MAX) return
  node.flow = false
  for (const item of node.items) {
    const child = isMap(node) ? (item as Pair<Node, Node>).value : (item as Node)
    if (child) shorten(child)
  }
}

function orderKeys(obj: Record<string, unknown>, order: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of [...order, ...Object.keys(obj)]) if (key in obj && obj[key] !== undefined && !(key in out)) out[key] = obj[key]
  return out
}

/**
 * Renders, validates with the same loader every command uses, and writes atomically.
 * Refuses to replace an existing file unless `overwrite`.
 */
export async function saveCluster(file: string, config: ClusterInput, opts: {overwrite?: boolean} = {}): Promise<{file: string; text: string; config: ClusterConfig}> {
  const path = resolve(file)
  const text = renderClusterYaml(config, {fileName: path})
  const result = parseClusterText(text)
  if (!result.config) throw new ConfigError(path, result.problems)
  try {
    await writeFileAtomic(path, text, {mode: 0o644, overwrite: opts.overwrite ?? false})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ConfigError(path, [{path: '', message: 'the cluster file already exists', fix: 'pass --force to replace it (its secrets file is kept), or choose another file with --config'}])
    }
    throw error
  }
  return {file: path, text, config: result.config}
}
