/** Pure: the cluster's status from each node's facts, with the problems an operator should see. */
import type {ClusterConfig} from '../config/schema.js'
import {detectSplitBrain} from '../drills/split-brain.js'
import type {SplitBrainFinding} from '../drills/types.js'
import type {DrbdDevice} from '../drills/proc-drbd.js'
import {minorOf, type DrbdResourceState} from '../facts/drbd.js'
import type {NodeStatusFacts} from './probe.js'

/** The split-brain detector's view of the one DRBD state read (no second read of /proc/drbd). */
const asDevice = (s: DrbdResourceState | null, minor: number): DrbdDevice | null =>
  s ? {minor, cs: s.connection, role: s.role, peerRole: s.peerRole, disk: s.disk, peerDisk: s.peerDisk} : null

export interface NodeStatus {
  node: string
  reachable: boolean
  drbd: {role: string; peerRole: string; connection: string; disk: string; peerDisk: string; syncPercent: number | null; syncRateKiBs: number | null; etaSeconds: number | null} | null
  mounted: boolean
  nfsRunning: boolean
  vipHeld: boolean
  haActive: boolean
  error?: string
}

export interface StatusReport {
  cluster: string
  stack: string
  nodes: NodeStatus[]
  vipHolder: string | null
  primary: string | null
  splitBrain: SplitBrainFinding
  healthy: boolean
  problems: string[]
}

export function statusReport(config: ClusterConfig, facts: Record<string, NodeStatusFacts | {error: string}>): StatusReport {
  const nodes: NodeStatus[] = config.nodes.map((n) => {
    const f = facts[n.name]
    if (!f || 'error' in f) return {node: n.name, reachable: false, drbd: null, mounted: false, nfsRunning: false, vipHeld: false, haActive: false, error: f && 'error' in f ? f.error : 'no answer'}
    const s = f.drbd.state
    return {
      node: n.name,
      reachable: true,
      drbd: s
        ? {role: s.role, peerRole: s.peerRole, connection: s.connection, disk: s.disk, peerDisk: s.peerDisk, syncPercent: s.sync?.percent ?? null, syncRateKiBs: s.sync?.speedKiBs ?? null, etaSeconds: s.sync?.etaSeconds ?? null}
        : null,
      mounted: f.mounted,
      nfsRunning: f.nfsdThreads > 0,
      vipHeld: f.vip.holdsVip,
      haActive: f.haActive,
    }
  })
  const holders = nodes.filter((n) => n.vipHeld).map((n) => n.node)
  const primaries = nodes.filter((n) => n.drbd?.role === 'Primary').map((n) => n.node)
  const splitBrain = detectSplitBrain(
    Object.fromEntries(config.nodes.map((n) => {
      const f = facts[n.name]
      return [n.name, f && !('error' in f) ? {drbd: asDevice(f.drbd.state, minorOf(config.drbd.device)), kernelLog: f.splitBrainLog} : undefined]
    })),
    config.drbd.resource,
  )
  const problems: string[] = []
  for (const n of nodes) {
    if (!n.reachable) problems.push(`${n.node}: unreachable (${n.error})`)
    else if (!n.drbd) problems.push(`${n.node}: DRBD resource ${config.drbd.resource} is not up`)
    else {
      if (n.drbd.connection !== 'Connected' && !n.drbd.connection.startsWith('Sync')) problems.push(`${n.node}: DRBD ${n.drbd.connection}`)
      if (n.drbd.disk !== 'UpToDate') problems.push(`${n.node}: disk ${n.drbd.disk}${n.drbd.syncPercent !== null ? ` (${n.drbd.syncPercent}% synced)` : ''}`)
    }
    if (n.reachable && !n.haActive) problems.push(`${n.node}: HA daemon not running`)
  }
  if (holders.length !== 1) problems.push(holders.length === 0 ? 'nobody holds the VIP' : `VIP held by ${holders.join(' and ')} at once`)
  if (primaries.length > 1) problems.push(`DRBD Primary on ${primaries.join(' and ')} at once`)
  if (holders.length === 1 && primaries.length === 1 && holders[0] !== primaries[0]) problems.push(`VIP on ${holders[0]} but DRBD Primary on ${primaries[0]}`)
  const holder = nodes.find((n) => n.vipHeld)
  if (holder && (!holder.mounted || !holder.nfsRunning)) problems.push(`${holder.node} holds the VIP but ${!holder.mounted ? 'the filesystem is not mounted' : 'NFS is not running'}`)
  if (splitBrain.state !== 'none') problems.push(`split brain ${splitBrain.state}: ${splitBrain.explanation}`)
  return {
    cluster: config.name,
    stack: config.stack,
    nodes,
    vipHolder: holders.length === 1 ? holders[0] : null,
    primary: primaries.length === 1 ? primaries[0] : null,
    splitBrain,
    healthy: problems.length === 0,
    problems,
  }
}

export function renderStatus(r: StatusReport): string {
  const yes = (b: boolean) => (b ? 'yes' : 'no')
  const rows = r.nodes.map((n) => [
    n.node,
    n.drbd ? `${n.drbd.role}/${n.drbd.peerRole}` : n.reachable ? 'down' : '?',
    n.drbd ? n.drbd.connection : '-',
    n.drbd ? `${n.drbd.disk}/${n.drbd.peerDisk}${n.drbd.syncPercent !== null ? ` ${n.drbd.syncPercent}%` : ''}` : '-',
    yes(n.mounted),
    yes(n.nfsRunning),
    n.vipHeld ? 'VIP' : '',
    yes(n.haActive),
  ])
  const head = ['node', 'DRBD role', 'connection', 'disk', 'mounted', 'NFS', 'VIP', 'HA daemon']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
  const out = [`${r.cluster} (${r.stack}): ${r.healthy ? 'healthy' : 'NOT healthy'}`, line(head), ...rows.map(line)]
  for (const p of r.problems) out.push(`  ! ${p}`)
  if (r.splitBrain.state !== 'none') out.push(`  fix: ${r.splitBrain.fix}`)
  return out.join('\n')
}
