/**
 * Pure: the LVS pool's part of `hapair status`: each real server reachable or not (with why),
 * the VIP on its lo, ARP left to the director, the service answering. A real server down leaves
 * the pool smaller, not the service down: the cluster is then degraded, not unhealthy.
 */
import type {ClusterConfig} from '../config/schema.js'
import type {StatusReport} from './report.js'
import {hostsOf} from '../config/hosts.js'
import {isUnread, type RealServerRead} from '../cluster-state/real-server.js'
import {holdsVipOnLo} from '../steps/lvs/loopback.js'
import {arpDrift} from '../steps/lvs/arp.js'
import {probeProblem} from '../steps/lvs/backend.js'

export interface RealServerStatus {
  name: string
  address: string
  reachable: boolean
  vipOnLo: boolean
  arpOk: boolean
  answers: boolean
  error?: string
  hint?: string
}

export function realServerStatus(config: ClusterConfig, reads: Record<string, RealServerRead>): {servers: RealServerStatus[]; problems: string[]} {
  const servers: RealServerStatus[] = []
  const problems: string[] = []
  for (const rs of hostsOf(config, 'realServers')) {
    const r = reads[rs.name]
    if (isUnread(r)) {
      servers.push({name: rs.name, address: rs.address, reachable: false, vipOnLo: false, arpOk: false, answers: false, error: r?.error ?? 'no answer', ...(r?.hint ? {hint: r.hint} : {})})
      problems.push(`real server ${rs.name}: unreachable (${r?.error ?? 'no answer'})`)
      continue
    }
    const vipOnLo = holdsVipOnLo(r.lo, config.vip.address)
    const drift = arpDrift(r.arp)
    const service = probeProblem(config, '127.0.0.1', r.service)
    servers.push({name: rs.name, address: rs.address, reachable: true, vipOnLo, arpOk: drift.length === 0, answers: !service})
    if (!vipOnLo) problems.push(`real server ${rs.name}: ${config.vip.address}/32 is not on lo (clients' packets forwarded to it are dropped)`)
    if (drift.length) problems.push(`real server ${rs.name}: ARP not left to the director (${drift.join(', ')})`)
    if (service) problems.push(`real server ${rs.name}: ${service}`)
  }
  return {servers, problems}
}

export function renderRealServers(servers: RealServerStatus[]): string[] {
  if (servers.length === 0) return []
  const yes = (b: boolean) => (b ? 'yes' : 'no')
  const head = ['real server', 'address', 'VIP on lo', 'ARP', 'answers']
  const rows = servers.map((s) => (s.reachable ? [s.name, s.address, yes(s.vipOnLo), s.arpOk ? 'ok' : 'NOT SET', yes(s.answers)] : [s.name, s.address, 'UNREACHABLE', '?', '?']))
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
  return ['', line(head), ...rows.map(line), ...servers.filter((s) => s.hint).map((s) => `  hint (${s.name}): ${s.hint}`)]
}

/** The report with the pool added: its problems listed, and a healthy cluster with a sick pool degraded (the service is up, its capacity is not). */
export function withRealServers(report: StatusReport, pool: {servers: RealServerStatus[]; problems: string[]}): StatusReport {
  if (pool.servers.length === 0) return report
  const problems = [...report.problems, ...pool.problems]
  const condition = report.condition === 'healthy' && pool.problems.length ? 'degraded' : report.condition
  return {...report, realServers: pool.servers, problems, healthy: problems.length === 0, condition}
}
