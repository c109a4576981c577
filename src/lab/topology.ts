/**
 * The lab's fixed network plan. Every address lives on one private bridge inside namespaces the
 * lab creates; nothing here routes anywhere else (no gateway, no default route).
 */

/** Namespace holding the bridge `br0` and the guests' taps; qemu runs in it. */
export const NETNS_SWITCH = 'hapair-labsw'
/** Namespace where hapair, ssh and the NFS client run. */
export const NETNS_CLIENT = 'hapair-client'
/** Prefix of the namespaces made by addNamespaceNode(). */
export const NETNS_NODE_PREFIX = 'hapair-lab-'
export const BRIDGE = 'br0'

export const PREFIX = 24
export const SUBNET = '192.168.77.0/24'
export const CLIENT_ADDRESS = '192.168.77.1'
export const VIP = '192.168.77.100'
/** The guests' only NIC (the kernel is booted with net.ifnames=0). */
export const GUEST_INTERFACE = 'eth0'
/** The blank data disk as the guests see it (drive order: root, data, seed). */
export const GUEST_DATA_DISK = '/dev/vdb'

export interface GuestSpec {
  name: string
  address: string
  mac: string
  /** Tap device in NETNS_SWITCH. */
  tap: string
  /**
   * Which root tree of the base image it boots: the nodes the minimal one (hapair installs
   * their packages), the drill client one with its NFS client already in (it is not under test).
   */
  root: 'node' | 'client'
}

export const GUESTS: readonly GuestSpec[] = [
  {name: 'node1', address: '192.168.77.11', mac: '52:54:00:77:00:11', tap: 'tap1', root: 'node'},
  {name: 'node2', address: '192.168.77.12', mac: '52:54:00:77:00:12', tap: 'tap2', root: 'node'},
]

/**
 * A third guest that is not a cluster node: the machine a drill's client writer runs on when
 * the cluster file names one (`drill.client`), as a real site's client would. Booted on demand
 * (drill-client.ts); its tap, keys and known_hosts entry exist from `lab up` on.
 */
export const DRILL_CLIENT: GuestSpec = {name: 'client1', address: '192.168.77.31', mac: '52:54:00:77:00:31', tap: 'tap3', root: 'client'}

/** Every guest the lab may run: the cluster's and the drill client. */
export const ALL_GUESTS: readonly GuestSpec[] = [...GUESTS, DRILL_CLIENT]

/** Addresses a namespace node must not take: the guests', the client namespace's and the VIP. */
export const RESERVED_ADDRESSES: readonly string[] = [...ALL_GUESTS.map((g) => g.address), CLIENT_ADDRESS, VIP]

export function guestSpec(name: string): GuestSpec {
  const guest = ALL_GUESTS.find((g) => g.name === name)
  if (!guest) throw new Error(`unknown lab guest "${name}" (the lab has ${ALL_GUESTS.map((g) => g.name).join(', ')})`)
  return guest
}
