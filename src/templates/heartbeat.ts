/**
 * Heartbeat 3's three files (seeds 003 and 004) as pure functions of the cluster file, the secrets
 * and what the nodes said about themselves:
 *
 *   ha.cf        per node (the peer it sends to differs; everything else is the same),
 *   haresources  identical on both nodes: the node that normally holds the resources, then the
 *                resources in start order (heartbeat stops them in reverse),
 *   authkeys     identical on both nodes, sha1 with the generated key, 0600.
 *
 * haresources mode (`crm off`), as in the seeds: heartbeat itself runs the resource scripts.
 */
import {replicationIp} from '../config/address.js'
import type {ClusterConfig, NodeConfig, Secrets} from '../config/schema.js'
import type {SecretKey} from '../facts/file.js'

export const HA_D = '/etc/ha.d'
export const HA_CF_PATH = `${HA_D}/ha.cf`
export const HARESOURCES_PATH = `${HA_D}/haresources`
export const AUTHKEYS_PATH = `${HA_D}/authkeys`
/** Where haresources mode looks for a resource's script by its name. */
export const RESOURCE_D = `${HA_D}/resource.d`
/** hapair's resource scripts for the VIP and the mount (templates/scripts/heartbeat-resources.ts). */
export const VIP_RESOURCE = 'hapair-vip'
export const FS_RESOURCE = 'hapair-fs'
export const HA_CF_MODE = 0o644
export const HARESOURCES_MODE = 0o644
/** heartbeat refuses to start when authkeys is readable by anyone but root. */
export const AUTHKEYS_MODE = 0o600
/** heartbeat's own log (the seeds' `logfile /var/log/ha-log`). */
export const HEARTBEAT_LOG_PATH = '/var/log/ha-log'

/** Where authkeys holds its secret, so facts and diffs can hide it (see fileFact). */
export const AUTHKEYS_SECRET_KEYS: readonly SecretKey[] = [{key: 'sha1', quoted: false}]

export type HeartbeatSection = NonNullable<ClusterConfig['heartbeat']>

const header = (config: ClusterConfig, what: string) => `# managed by hapair (cluster ${config.name}): ${what}. Edit the cluster file and re-run hapair.`

/** What the nodes answered: their `uname -n` (heartbeat's node names) and, for this node, the interface and ipfail. */
export interface HaCfFacts {
  /** `uname -n` of every node, in cluster-file order. */
  unames: string[]
  /** Interface the heartbeats go out on (the cluster file's, else the route to the peer). */
  iface: string
  /** Path of ipfail on this node; needed only with a ping node. */
  ipfail: string | null
}

/** The address heartbeat talks to a node on: its replication link when it has one (the channel table says `via: replication`). */
export const heartbeatAddress = (node: NodeConfig): string => replicationIp(node)

/** The media line: unicast to the peer, broadcast, or multicast (dev group port ttl=1 loop=0). */
function mediaLine(hb: HeartbeatSection, iface: string, peer: NodeConfig): string {
  if (hb.media === 'bcast') return `bcast ${iface}`
  if (hb.media === 'mcast') return `mcast ${iface} ${hb.mcastGroup} ${hb.udpPort} 1 0`
  return `ucast ${iface} ${heartbeatAddress(peer)}`
}

export function renderHaCf(config: ClusterConfig, hb: HeartbeatSection, node: NodeConfig, facts: HaCfFacts): string {
  const peer = config.nodes.find((n) => n.name !== node.name)!
  const ping = hb.ping
  if (ping && !facts.ipfail) throw new Error('ha.cf: a ping node needs ipfail (the step refuses before rendering)')
  return [
    header(config, `heartbeat configuration of ${node.name}`),
    `logfile ${HEARTBEAT_LOG_PATH}`,
    'logfacility local0',
    `keepalive ${hb.keepalive}`,
    `warntime ${hb.warntime}`,
    `deadtime ${hb.deadtime}`,
    `initdead ${hb.initdead}`,
    `udpport ${hb.udpPort}`,
    mediaLine(hb, facts.iface, peer),
    `auto_failback ${hb.autoFailback ? 'on' : 'off'}`,
    // heartbeat knows a node by its `uname -n`, whatever the cluster file calls it.
    ...facts.unames.map((u) => `node ${u}`),
    ...(ping ? ['# A node that cannot reach the ping node gives the resources to a peer that can.', `ping ${ping}`, `respawn hacluster ${facts.ipfail}`] : []),
    // haresources mode: heartbeat runs the resource scripts itself, no pacemaker.
    'crm off',
    '',
  ].join('\n')
}

/**
 * `drbddisk::r0 hapair-fs`: DRBD Primary first, then the mount. hapair-fs, not the seeds'
 * `Filesystem::<device>::<mountPoint>::<fstype>`: see templates/scripts/heartbeat-resources.ts.
 */
export function drbdResources(config: ClusterConfig): string[] {
  if (!config.filesystem) throw new Error('the cluster file has no filesystem section')
  return [`drbddisk::${config.drbd.resource}`, FS_RESOURCE]
}

/**
 * `hapair-vip`, in place of the seed's `IPaddr::192.168.1.200/24/eth0`: IPaddr needs ifconfig
 * (net-tools), which current distributions no longer install (seen in the lab: "couldn't find
 * command: ifconfig", and heartbeat gave the group up), and resource-agents' IPaddr2 took 4-6 s a
 * call on the lab's guests. The address, prefix and interface are in the script's settings.
 */
export function vipResource(_config: ClusterConfig): string {
  return VIP_RESOURCE
}

/** One resource group owned by `preferredUname`; the same text on both nodes. */
export function renderHaresources(config: ClusterConfig, preferredUname: string, resources: string[]): string {
  return [
    header(config, 'heartbeat resources, identical on both nodes'),
    '# The first word is the node that normally holds the group; the resources start left to right',
    '# and stop right to left.',
    `${preferredUname} ${resources.join(' ')}`,
    '',
  ].join('\n')
}

export function renderAuthkeys(config: ClusterConfig, secrets: Secrets): string {
  return [header(config, 'heartbeat message signing key, identical on both nodes; keep 0600'), 'auth 1', `1 sha1 ${secrets.heartbeatAuthkey}`, ''].join('\n')
}
