/**
 * What the cluster's stack needs to get through a node's firewall, as a pure function of the
 * cluster file. Each need says who sends the traffic (the peer node, clients, or the machine
 * running hapair), so a firewall rule limited to a source can be judged, and whether missing it
 * breaks the cluster (`required`) or only some clients (NFSv3, pcs).
 */
import type {ClusterConfig, NodeConfig} from '../config/schema.js'

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
  /** VRRP over multicast goes to 224.0.0.18; unicast VRRP goes straight to the peer. */
  multicast: boolean
  required: true
  note: string
}

export type FirewallNeed = PortNeed | ProtocolNeed

export const VRRP_MULTICAST_GROUP = '224.0.0.18'
/** The mountd port firewalld's `mountd` service opens; rpc.mountd uses it only when nfs.conf `[mountd] port=` pins it. */
export const MOUNTD_PORT = 20048
export const PCSD_PORT = 2224

/** The other node of the pair. */
export function peerOf(config: ClusterConfig, node: NodeConfig): NodeConfig {
  const peer = config.nodes.find((n) => n.name !== node.name)
  if (!peer) throw new Error(`the cluster file has no node other than ${node.name}`)
  return peer
}

/** Every inbound need of `node` for the configured stack, in a stable order. */
export function firewallNeeds(config: ClusterConfig, node: NodeConfig): FirewallNeed[] {
  const peer = peerOf(config, node)
  const peerReplication = peer.replicationAddress ?? peer.address
  const needs: FirewallNeed[] = [
    {kind: 'port', port: node.ssh.port, proto: 'tcp', service: 'SSH', from: {kind: 'admin'}, required: true},
  ]
  if (config.stack !== 'lvs') {
    needs.push({kind: 'port', port: config.drbd.port, proto: 'tcp', service: `DRBD ${config.drbd.resource}`, from: {kind: 'peer', address: peerReplication}, required: true})
  }
  if (config.nfs) {
    const clients = config.nfs.exports.map((e) => e.clients)
    const spec = clients.length === 1 ? clients[0] : undefined
    needs.push(
      {kind: 'port', port: 2049, proto: 'tcp', service: 'NFS server', from: {kind: 'clients', spec}, required: true},
      {kind: 'port', port: 111, proto: 'tcp', service: 'rpcbind', from: {kind: 'clients', spec}, required: false, note: 'NFSv3 clients only'},
      {kind: 'port', port: 111, proto: 'udp', service: 'rpcbind', from: {kind: 'clients', spec}, required: false, note: 'NFSv3 clients only'},
      {
        kind: 'port',
        port: MOUNTD_PORT,
        proto: 'tcp',
        service: 'mountd',
        from: {kind: 'clients', spec},
        required: false,
        note: `NFSv3 clients only; mountd listens on ${MOUNTD_PORT} only when /etc/nfs.conf pins it ([mountd] port=${MOUNTD_PORT}), otherwise on a random port`,
      },
    )
  }
  if (config.stack === 'keepalived' || config.stack === 'lvs') {
    const multicast = config.keepalived ? !config.keepalived.unicast : false
    needs.push({
      kind: 'protocol',
      protocol: 'vrrp',
      number: 112,
      service: 'keepalived VRRP',
      from: {kind: 'peer', address: peer.address},
      multicast,
      required: true,
      note: multicast ? `adverts go to the multicast group ${VRRP_MULTICAST_GROUP}` : 'adverts are unicast from the peer',
    })
  }
  if (config.stack === 'heartbeat') {
    const port = config.heartbeat?.udpPort ?? 694
    needs.push({kind: 'port', port, proto: 'udp', service: 'heartbeat', from: {kind: 'peer', address: peerReplication}, required: true})
  }
  if (config.stack === 'pacemaker') {
    const port = config.pacemaker?.port ?? 5405
    const transport = config.pacemaker?.transport ?? 'knet'
    // corosync 2's udpu also sends on mcastport - 1; knet uses only its own port per link.
    const range: number | [number, number] = transport === 'udpu' ? [port - 1, port] : port
    needs.push(
      {kind: 'port', port: range, proto: 'udp', service: `corosync (${transport})`, from: {kind: 'peer', address: peerReplication}, required: true},
      {kind: 'port', port: PCSD_PORT, proto: 'tcp', service: 'pcsd', from: {kind: 'peer', address: peer.address}, required: false, note: 'only when the cluster is managed with pcs'},
    )
  }
  if (config.stack === 'lvs' && config.lvs) {
    needs.push({
      kind: 'port',
      port: config.lvs.port,
      proto: config.lvs.protocol === 'UDP' ? 'udp' : 'tcp',
      service: 'LVS virtual service',
      from: {kind: 'clients'},
      required: true,
      note: 'clients reach the virtual service on the VIP held by the director',
    })
  }
  return needs
}

/** `7788/tcp`, `5404-5405/udp`, `VRRP (IP protocol 112)` */
export function needLabel(need: FirewallNeed): string {
  if (need.kind === 'protocol') return `${need.protocol.toUpperCase()} (IP protocol ${need.number})`
  return `${portText(need.port, '-')}/${need.proto}`
}

export function portText(port: number | [number, number], sep: string): string {
  return typeof port === 'number' ? String(port) : `${port[0]}${sep}${port[1]}`
}

/** Does `have` (a port or range) cover all of `want`? */
export function covers(have: [number, number], want: number | [number, number]): boolean {
  const [lo, hi] = typeof want === 'number' ? [want, want] : want
  return have[0] <= lo && hi <= have[1]
}
