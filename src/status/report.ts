/** Pure: the cluster's status from each node's facts, with the problems an operator should see. */
import type {ClusterConfig} from '../config/schema.js'
import {connectionText} from '../cluster-state/drbd.js'
import type {ServingShape} from '../cluster-state/node-state.js'
import {splitBrainIn, type SplitBrainFinding} from '../cluster-state/split-brain.js'
import type {NodeStatusFacts} from './probe.js'
import {renderRealServers, type RealServerStatus} from './real-servers.js'

export interface NodeStatus {
  node: string
  reachable: boolean
  drbd: {role: string; peerRole: string; connection: string; disk: string; peerDisk: string; syncPercent: number | null; syncRateKiBs: number | null; etaSeconds: number | null} | null
  mounted: boolean
  nfsRunning: boolean
  vipHeld: boolean
  haActive: boolean
  /** Why the node could not be read (reachable: false). */
  error?: string
  hint?: string
}

/**
 * healthy: both nodes read and nothing wrong. degraded: one node unreachable while the other
 * serves alone (the service is up, its redundancy is not). unhealthy: anything else, including
 * no node reachable or the survivor not serving.
 */
export type ClusterCondition = 'healthy' | 'degraded' | 'unhealthy'

export interface StatusReport {
  cluster: string
  stack: string
  nodes: NodeStatus[]
  vipHolder: string | null
  primary: string | null
  splitBrain: SplitBrainFinding
  /** An LVS pool's real servers (status/real-servers.ts); absent for stacks without one. */
  realServers?: RealServerStatus[]
  healthy: boolean
  condition: ClusterCondition
  problems: string[]
}

/** A node that could not be read: its connection or probe failure. */
export interface NodeReadError {
  error: string
  hint?: string
}

export function statusReport(config: ClusterConfig, facts: Record<string, NodeStatusFacts | NodeReadError>, shape: Pick<ServingShape, 'vip' | 'service'>): StatusReport {
  const nodes: NodeStatus[] = config.nodes.map((n) => {
    const f = facts[n.name]
    if (!f || 'error' in f) {
      const hint = f && 'error' in f ? f.hint : undefined
      return {node: n.name, reachable: false, drbd: null, mounted: false, nfsRunning: false, vipHeld: false, haActive: false, error: f && 'error' in f ? f.error : 'no answer', ...(hint ? {hint} : {})}
    }
    const s = f.drbd
    return {
      node: n.name,
      reachable: true,
      drbd: s
        ? {role: s.role, peerRole: s.peerRole, connection: connectionText(s), disk: s.disk, peerDisk: s.peerDisk, syncPercent: s.sync?.percent ?? null, syncRateKiBs: s.sync?.speedKiBs ?? null, etaSeconds: s.sync?.etaSeconds ?? null}
        : null,
      mounted: f.mounted,
      nfsRunning: (f.nfsdThreads ?? 0) > 0,
      vipHeld: f.vipHeld,
      haActive: f.haActive === true,
    }
  })
  const holders = nodes.filter((n) => n.vipHeld).map((n) => n.node)
  const primaries = nodes.filter((n) => n.drbd?.role === 'Primary').map((n) => n.node)
  const splitBrain = splitBrainIn(config, Object.fromEntries(config.nodes.map((n) => {
    const f = facts[n.name]
    return [n.name, f && !('error' in f) ? f : undefined]
  })))
  const problems: string[] = []
  const connected = (node: string) => {
    const f = facts[node]
    return Boolean(f && !('error' in f) && f.drbd?.connected)
  }
  for (const n of nodes) {
    if (!n.reachable) problems.push(`${n.node}: unreachable (${n.error})`)
    else if (!n.drbd) problems.push(`${n.node}: DRBD resource ${config.drbd.resource} is not up`)
    else {
      if (!connected(n.node)) problems.push(`${n.node}: DRBD ${n.drbd.connection}`)
      if (n.drbd.disk !== 'UpToDate') problems.push(`${n.node}: disk ${n.drbd.disk}${n.drbd.syncPercent !== null ? ` (${n.drbd.syncPercent}% synced)` : ''}`)
    }
    if (n.reachable && !n.haActive) problems.push(`${n.node}: HA daemon not running`)
  }
  if (shape.vip && holders.length !== 1) problems.push(holders.length === 0 ? 'nobody holds the VIP' : `VIP held by ${holders.join(' and ')} at once`)
  if (primaries.length > 1) problems.push(`DRBD Primary on ${primaries.join(' and ')} at once`)
  if (shape.vip && holders.length === 1 && primaries.length === 1 && holders[0] !== primaries[0]) problems.push(`VIP on ${holders[0]} but DRBD Primary on ${primaries[0]}`)
  // Without a VIP, the Primary is where the service is.
  const holder = shape.vip ? nodes.find((n) => n.vipHeld) : nodes.find((n) => n.node === primaries[0])
  const nfsDown = shape.service === 'nfs' && holder && !holder.nfsRunning
  if (holder && (!holder.mounted || nfsDown)) problems.push(`${holder.node} ${shape.vip ? 'holds the VIP' : 'is Primary'} but ${!holder.mounted ? 'the filesystem is not mounted' : 'NFS is not running'}`)
  if (splitBrain.state !== 'none') problems.push(`split brain ${splitBrain.state}: ${splitBrain.explanation}`)
  const healthy = problems.length === 0
  return {
    cluster: config.name,
    stack: config.stack,
    nodes,
    vipHolder: holders.length === 1 ? holders[0] : null,
    primary: primaries.length === 1 ? primaries[0] : null,
    splitBrain,
    healthy,
    condition: healthy ? 'healthy' : servesAlone(nodes, shape, splitBrain) ? 'degraded' : 'unhealthy',
    problems,
  }
}

/** Exactly one node unreachable, and the other is Primary, mounted, holds the VIP and runs the service and its HA daemon. */
function servesAlone(nodes: NodeStatus[], shape: Pick<ServingShape, 'vip' | 'service'>, splitBrain: SplitBrainFinding): boolean {
  const up = nodes.filter((n) => n.reachable)
  if (up.length !== 1 || nodes.length - up.length !== 1 || splitBrain.state !== 'none') return false
  const [n] = up
  return n.drbd?.role === 'Primary' && n.drbd.disk === 'UpToDate' && n.mounted && n.haActive && (!shape.vip || n.vipHeld) && (shape.service !== 'nfs' || n.nfsRunning)
}

const CONDITION_TEXT: Record<ClusterCondition, string> = {healthy: 'healthy', degraded: 'DEGRADED (one node unreachable; the other serves alone)', unhealthy: 'NOT healthy'}

/** One line for the exit: what is wrong, in a sentence that stands alone (also the JSON error message). */
export function conditionLine(r: StatusReport): string {
  if (r.condition === 'healthy') return `${r.cluster} is healthy`
  const down = r.nodes.filter((n) => !n.reachable).map((n) => n.node)
  if (r.condition === 'degraded' && down.length === 0) return `${r.cluster} is degraded: the service is up, the LVS pool is not whole (${r.problems.length} problem${r.problems.length === 1 ? '' : 's'})`
  if (r.condition === 'degraded') return `${r.cluster} is degraded: ${down.join(', ')} unreachable, ${r.nodes.find((n) => n.reachable)!.node} serves alone`
  return `${r.cluster} is not healthy: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`
}

export function renderStatus(r: StatusReport): string {
  const yes = (b: boolean) => (b ? 'yes' : 'no')
  const head = ['node', 'DRBD role', 'connection', 'disk', 'mounted', 'NFS', 'VIP', 'HA daemon']
  // Nothing is known about an unreachable node: no "no" for its mount or daemon, which would read as a finding.
  const rows = r.nodes.map((n) => !n.reachable ? [n.node, 'UNREACHABLE', ...head.slice(2).map(() => '?')] : [
    n.node,
    n.drbd ? `${n.drbd.role}/${n.drbd.peerRole}` : 'down',
    n.drbd ? n.drbd.connection : '-',
    n.drbd ? `${n.drbd.disk}/${n.drbd.peerDisk}${n.drbd.syncPercent !== null ? ` ${n.drbd.syncPercent}%` : ''}` : '-',
    yes(n.mounted),
    yes(n.nfsRunning),
    n.vipHeld ? 'VIP' : '',
    yes(n.haActive),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
  const down = r.nodes.some((n) => !n.reachable)
  const condition = r.condition === 'degraded' && !down ? 'DEGRADED (the LVS pool is not whole; the service is up)' : CONDITION_TEXT[r.condition]
  const out = [`${r.cluster} (${r.stack}): ${condition}`, line(head), ...rows.map(line), ...renderRealServers(r.realServers ?? [])]
  for (const p of r.problems) out.push(`  ! ${p}`)
  for (const n of r.nodes) if (n.hint) out.push(`  hint (${n.node}): ${n.hint}`)
  if (r.splitBrain.state !== 'none') out.push(`  fix: ${r.splitBrain.fix}`)
  return out.join('\n')
}
