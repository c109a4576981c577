/**
 * Which node normally holds the service. One answer for every stack and every step: the DRBD
 * Primary at setup, the VRRP master, heartbeat's haresources owner and pacemaker's location
 * preference all follow it, so they start together on the same node.
 */
import type {ClusterConfig, NodeConfig} from '../config/schema.js'

/** Defaults when the cluster file gives none: the first node is preferred. */
export const DEFAULT_PRIORITIES = [100, 90] as const

/** Priorities by node name: the node's own `priority`, else 100 for the first node and 90 for the second. */
export function nodePriorities(config: Pick<ClusterConfig, 'nodes'>): Record<string, number> {
  return Object.fromEntries(config.nodes.map((n, i) => [n.name, n.priority ?? DEFAULT_PRIORITIES[i] ?? 80]))
}

/** The highest priority, the first node on a tie (validation refuses ties). */
export function preferredNode(config: Pick<ClusterConfig, 'nodes'>): NodeConfig {
  const prio = nodePriorities(config)
  return config.nodes.reduce((best, n) => (prio[n.name] > prio[best.name] ? n : best), config.nodes[0])
}
