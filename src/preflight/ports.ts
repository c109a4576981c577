/**
 * What the cluster's stack needs to get through a node's firewall, as a pure function of the
 * cluster file. Each need says who sends the traffic (the peer node, clients, or the machine
 * running hapair), so a firewall rule limited to a source can be judged, and whether missing it
 * breaks the cluster (`required`) or only some clients (NFSv3, pcs).
 */
import {nodeIp, replicationIp} from '../config/address.js'
import type {ClusterConfig, NodeConfig} from '../config/schema.js'
import {portText} from '../stacks/channels.js'
import {stackOf} from '../stacks/registry.js'
import type {PeerChannel} from '../stacks/types.js'

export type Proto = 'tcp' | 'udp'

/** Who sends the traffic: the other cluster node (at `address`), service clients, or hapair's own SSH. */
export type Source = {kind: 'peer'; address: string} | {kind: 'clients'; spec?: string} | {kind: 'admin'}

export interface PortNeed {
  kind: 'port'
  /** One port, or an inclusive range. */
  port: number | [number, number]
  proto: Proto
  /** What listens, for messages: "DRBD r0", "NFS server". */
  service: string
  from: Source
  /** false: missing it is a warning (e.g. only NFSv3 clients need it). */
  required: boolean
  note?: string
}

/** An IP protocol without ports (VRRP is IP protocol 112: firewalls allow it by protocol, not by port). */
export interface ProtocolNeed {
  kind: 'protocol'
  protocol: 'vrrp'
  number: 112
  service: string
  from: Source
  /** VRRP over multicast goes to 224.0.0.18 (or `group`); unicast VRRP goes straight to the peer. */
  multicast: boolean
  group?: string
  required: true
  note: string
}

export type FirewallNeed = PortNeed | ProtocolNeed

export {MOUNTD_PORT} from '../stacks/services/nfs.js'
export {portText} from '../stacks/channels.js'
export {VRRP_MULTICAST_GROUP} from '../stacks/managers/keepalived.js'

/** The other node of the pair. */
export function peerOf(config: ClusterConfig, node: NodeConfig): NodeConfig {
  const peer = config.nodes.find((n) => n.name !== node.name)
  if (!peer) throw new Error(`the cluster file has no node other than ${node.name}`)
  return peer
}

/** Every inbound need of `node` for the configured stack, in a stable order: SSH, the service's clients, the peer channels. */
export function firewallNeeds(config: ClusterConfig, node: NodeConfig): FirewallNeed[] {
  const peer = peerOf(config, node)
  const stack = stackOf(config)
  const needs: FirewallNeed[] = [{kind: 'port', port: node.ssh.port, proto: 'tcp', service: 'SSH', from: {kind: 'admin'}, required: true}]
  const fromPeer = (via: 'replication' | 'address'): Source => ({kind: 'peer', address: via === 'replication' ? replicationIp(peer) : nodeIp(peer)})
  // Replication first (the service's channels), then what clients reach, then the manager's own.
  const [serviceChannels, managerChannels] = [stack.service.peerChannels(config), stack.manager.peerChannels(config)]
  const toNeed = (ch: PeerChannel): FirewallNeed =>
    ch.proto === 'vrrp'
      ? {kind: 'protocol', protocol: 'vrrp', number: 112, service: ch.what, from: fromPeer(ch.via), multicast: ch.multicast, ...(ch.group && {group: ch.group}), required: true, note: ch.note}
      : {kind: 'port', port: ch.port, proto: ch.proto, service: ch.what, from: fromPeer(ch.via), required: ch.required, ...(ch.note && {note: ch.note})}
  needs.push(...serviceChannels.map(toNeed))
  for (const p of stack.service.clientPorts(config)) {
    needs.push({kind: 'port', port: p.port, proto: p.proto, service: p.service, from: {kind: 'clients', ...(p.spec !== undefined && {spec: p.spec})}, required: p.required, ...(p.note && {note: p.note})})
  }
  needs.push(...managerChannels.map(toNeed))
  return needs
}

/** `7788/tcp`, `5404-5405/udp`, `VRRP (IP protocol 112)` */
export function needLabel(need: FirewallNeed): string {
  if (need.kind === 'protocol') return `${need.protocol.toUpperCase()} (IP protocol ${need.number})`
  return `${portText(need.port, '-')}/${need.proto}`
}

/** Does `have` (a port or range) cover all of `want`? */
export function covers(have: [number, number], want: number | [number, number]): boolean {
  const [lo, hi] = typeof want === 'number' ? [want, want] : want
  return have[0] <= lo && hi <= have[1]
}
