/**
 * The preflight service behind the command: read both nodes' facts at once (one remote call
 * each), evaluate, and with `fix` apply the safe repairs, then read and evaluate again; the
 * findings reported are those after the repairs.
 */
import type {ClusterConfig} from '../config/schema.js'
import type {PackageFamily} from '../distro/family.js'
import {applyChange} from '../engine/apply-change.js'
import {describeChange} from '../engine/render-plan.js'
import type {Change} from '../engine/step.js'
import {HapairError} from '../errors.js'
import type {Unreachable} from '../transport/connect-all.js'
import type {Host} from '../transport/host.js'
import {evaluate, type NodeFacts} from './evaluate.js'
import {preflightFacts} from './facts.js'
import type {Finding} from './finding.js'
import {planFixes} from './fixes.js'
import {readRealServers} from '../cluster-state/real-server.js'
import {evaluateRealServers} from './real-servers.js'

export const FACTS_TIMEOUT_MS = 60_000

export interface PreflightOptions {
  fix: boolean
  dryRun: boolean
  /** `--force-distro`: the family to assume on an unsupported distribution. */
  forceDistro?: PackageFamily
  signal?: AbortSignal
  /** Progress lines for a person (silent under --json). */
  print?: (line: string) => void
  /** Nodes that could not be connected, and why: each becomes a failed ssh check; the others are checked in full. */
  unreachable?: Map<string, Unreachable>
}

export interface PreflightResult {
  findings: Finding[]
  /** No finding failed. */
  ok: boolean
  /** Repairs planned with --fix (as --dry-run shows them), and how many were applied. */
  fixes: {planned: string[]; applied: string[]; failed: Array<{node: string; message: string}>; dryRun: boolean} | null
}

/** Reads one node's facts; a transport or sudo failure becomes an unreachable node, not a crash. */
export async function readFacts(config: ClusterConfig, host: Host): Promise<NodeFacts> {
  const set = preflightFacts(config)
  try {
    const result = await host.run(set.script, {label: 'preflight facts', timeoutMs: FACTS_TIMEOUT_MS})
    return set.parse(result.stdout)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return {unreachable: message.startsWith(`${host.node}:`) ? message.slice(host.node.length + 1).trim() : message, hint: error instanceof HapairError ? error.hint : undefined}
  }
}

export async function readAllFacts(config: ClusterConfig, hosts: Map<string, Host>, unreachable = new Map<string, Unreachable>()): Promise<Record<string, NodeFacts>> {
  const entries = await Promise.all(
    config.nodes.map(async (n): Promise<[string, NodeFacts]> => {
      const host = hosts.get(n.name)
      const why = unreachable.get(n.name)
      return [n.name, host ? await readFacts(config, host) : {unreachable: why?.message ?? 'not connected', hint: why?.hint}]
    }),
  )
  return Object.fromEntries(entries)
}

export async function runPreflight(config: ClusterConfig, hosts: Map<string, Host>, opts: PreflightOptions): Promise<PreflightResult> {
  const print = opts.print ?? (() => {})
  const [facts, pool] = await Promise.all([readAllFacts(config, hosts, opts.unreachable), readRealServers(config, hosts, opts.unreachable ?? new Map(), FACTS_TIMEOUT_MS)])
  // Real servers get no --fix repairs: their findings are judged once, from this read.
  const poolFindings = evaluateRealServers(config, pool, opts)
  let findings = [...evaluate(config, facts, opts), ...poolFindings]
  let fixes: PreflightResult['fixes'] = null
  if (opts.fix) {
    const changes = planFixes(config, findings, facts)
    fixes = {planned: changes.map(describeChange), applied: [], failed: [], dryRun: opts.dryRun}
    if (changes.length === 0) print('Nothing for --fix to repair.')
    else if (opts.dryRun) print(`--fix --dry-run: would make ${changes.length} change${changes.length === 1 ? '' : 's'} (nothing was touched):\n${fixes.planned.join('\n')}\n`)
    else {
      const outcome = await applyAll(changes, hosts, opts.signal ?? new AbortController().signal, print)
      fixes.applied = outcome.applied
      fixes.failed = outcome.failed
      const after = await readAllFacts(config, hosts, opts.unreachable)
      findings = [...evaluate(config, after, opts), ...poolFindings]
      findings.push(...outcome.failed.map(({node, message}): Finding => ({node, check: 'fix', level: 'fail', message})))
      // Like a step's re-plan after applying: a repair that still plans a change did not take.
      const failedNodes = new Set(outcome.failed.map((f) => f.node))
      for (const change of planFixes(config, findings, after)) {
        if (failedNodes.has(change.node)) continue
        findings.push({node: change.node, check: 'fix', level: 'warn', message: `still needed after --fix: ${change.title} (the repair did not take; see the findings above)`})
      }
    }
  }
  return {findings, ok: !findings.some((f) => f.level === 'fail'), fixes}
}

/** Each node's changes in order; the nodes in parallel. A failed change stops that node's later ones. */
async function applyAll(changes: Change[], hosts: Map<string, Host>, signal: AbortSignal, print: (line: string) => void) {
  const applied: string[] = []
  const failed: Array<{node: string; message: string}> = []
  const nodes = [...new Set(changes.map((c) => c.node))]
  await Promise.all(
    nodes.map(async (node) => {
      const host = hosts.get(node)
      for (const change of changes.filter((c) => c.node === node)) {
        try {
          if (!host) throw new Error('not connected')
          await applyChange(host, change, {progress: () => {}, signal})
          applied.push(`${node}: ${change.title}`)
          print(`${node}: ${change.title} — done`)
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error)
          failed.push({node, message: `${change.title} failed: ${message.startsWith(`${node}`) ? message.slice(node.length).replace(/^:\s*/, '') : message}`})
          print(`${node}: ${change.title} — FAILED`)
          return
        }
      }
    }),
  )
  return {applied, failed}
}
