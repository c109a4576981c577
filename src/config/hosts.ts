/**
 * Every host a cluster file names, by role. `nodes` are the two cluster nodes (an LVS stack's
 * directors); `realServers` are an LVS pool's servers, which hapair also configures over SSH.
 * A run connects every host once, keyed by name (validation keeps names unique across roles),
 * and each step says which role it acts on (Step.role).
 */
import type {ClusterConfig, NodeConfig} from './schema.js'

export const ROLES = ['nodes', 'realServers'] as const
export type Role = (typeof ROLES)[number]

/** A real server as a host: its address is also its IPv4 (the schema requires one). */
function realServerHosts(config: Pick<ClusterConfig, 'lvs'>): NodeConfig[] {
  return (config.lvs?.realServers ?? []).map((s) => ({name: s.name, address: s.address, ip: s.address, ssh: s.ssh}))
}

export function hostsOf(config: Pick<ClusterConfig, 'nodes' | 'lvs'>, role: Role): NodeConfig[] {
  return role === 'nodes' ? config.nodes : realServerHosts(config)
}

/** The nodes first, then the other roles' hosts, in cluster-file order. */
export function allHosts(config: Pick<ClusterConfig, 'nodes' | 'lvs'>): NodeConfig[] {
  return ROLES.flatMap((role) => hostsOf(config, role))
}

/** The role of a host by name (undefined: the cluster file names no such host). */
export function roleOf(config: Pick<ClusterConfig, 'nodes' | 'lvs'>, name: string): Role | undefined {
  return ROLES.find((role) => hostsOf(config, role).some((h) => h.name === name))
}
