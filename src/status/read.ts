/**
 * One status read: the probe on every connected node at once, and the nodes that could not be
 * connected carried in with their reason, so the report shows the survivor in full and the
 * other as unreachable rather than failing as a whole.
 */
import type {ClusterConfig} from '../config/schema.js'
import type {ServingShape} from '../cluster-state/node-state.js'
import type {Unreachable} from '../transport/connect-all.js'
import type {Host} from '../transport/host.js'
import {statusProbe, type NodeStatusFacts} from './probe.js'
import {roleOf} from '../config/hosts.js'
import {readRealServers} from '../cluster-state/real-server.js'
import {realServerStatus, withRealServers} from './real-servers.js'
import {statusReport, type NodeReadError, type StatusReport} from './report.js'

export const STATUS_TIMEOUT_MS = 15_000

export async function readStatus(config: ClusterConfig, shape: ServingShape, hosts: Map<string, Host>, unreachable: Map<string, Unreachable>): Promise<StatusReport> {
  const probe = statusProbe(config, shape)
  const facts: Record<string, NodeStatusFacts | NodeReadError> = {}
  for (const [node, why] of unreachable) facts[node] = {error: why.message, ...(why.hint ? {hint: why.hint} : {})}
  // The node probe reads DRBD, the VIP and the HA daemon: the cluster nodes only; real servers have their own read.
  const nodeHosts = [...hosts].filter(([name]) => roleOf(config, name) === 'nodes')
  const pool = config.lvs ? readRealServers(config, hosts, unreachable, STATUS_TIMEOUT_MS) : Promise.resolve({})
  await Promise.all(
    nodeHosts.map(async ([node, host]) => {
      const r = await host.run(probe.script, {label: 'status facts', timeoutMs: STATUS_TIMEOUT_MS}).catch((e: Error) => ({code: -1, stdout: '', stderr: e.message}))
      facts[node] = r.code === 0 ? probe.parse(r.stdout) : {error: r.stderr.trim() || `exit ${r.code}`}
    }),
  )
  return withRealServers(statusReport(config, facts, shape), realServerStatus(config, await pool))
}
