/** Pure: the cluster's status from each node's facts, with the problems an operator should see. */
import type {ClusterConfig} from '../config/schema.js'
import {connectionText} from '../cluster-state/drbd.js'
import type {ServingShape} from '../cluster-state/node-state.js'
import {splitBrainIn, type SplitBrainFinding} from '../cluster-state/split-brain.js'
import type {NodeStatusFacts} from './probe.js'

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

export function statusReport(config: ClusterConfig, facts: Record<string, NodeStatusFacts | {error: string}>, shape: Pick<ServingShape, 'vip' | 'service'>): StatusReport {
  const nodes: NodeStatus[] = config.nodes.map((n) => {
    const f = facts[n.name]
    if (!f || 'error' in f) return {node: n.name, reachable: false, drbd: null, mounted: false, nfsRunning: false, vipHeld: false, haActive: false, error: f && 'error' in f ? f.error : 'no answer'}
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
