/**
 * IPv4 addresses of one interface (`ip -j -4 addr show dev IFACE`), and from them whether this
 * node holds the VIP: the fact `hapair status` and the drills use to say where the service is.
 */
import {shq, type Fact} from './fact.js'

export interface InterfaceAddress {
  address: string
  prefix: number
  /** The kernel marks a second address in an already-present subnet "secondary": how a VIP in the node's own subnet shows. */
  secondary: boolean
}

export interface InterfaceInfo {
  exists: boolean
  /** Administratively up and with carrier (LOWER_UP). */
  up: boolean
  addresses: InterfaceAddress[]
}

export interface VipInfo extends InterfaceInfo {
  holdsVip: boolean
}

export function interfaceFact(iface: string): Fact<InterfaceInfo> {
  return {
    // Exit 1 with 'Device "x" does not exist.' on stderr for an unknown interface; stderr is
    // merged by factSet, so the parser keys on the exit code, not on the text.
    command: `ip -j -4 addr show dev ${shq(iface)}`,
    parse: (stdout, code) => parseInterface(stdout, code),
  }
}

/** Whether this node currently carries `address` on `iface` (any prefix: keepalived adds it as written in its config). */
export function vipFact(iface: string, address: string): Fact<VipInfo> {
  const inner = interfaceFact(iface)
  return {
    command: inner.command,
    parse(stdout, code) {
      const info = inner.parse(stdout, code)
      return {...info, holdsVip: info.addresses.some((a) => a.address === address)}
    },
  }
}

interface IpJsonAddrInfo {
  family?: string
  local?: string
  prefixlen?: number
  secondary?: boolean
}
interface IpJsonLink {
  ifname?: string
  flags?: string[]
  addr_info?: IpJsonAddrInfo[]
}

export function parseInterface(stdout: string, code: number): InterfaceInfo {
  if (code !== 0) return {exists: false, up: false, addresses: []}
  const start = stdout.indexOf('[')
  if (start < 0) throw new Error(`ip -j printed no JSON: ${stdout.slice(0, 200)}`)
  const links = JSON.parse(stdout.slice(start)) as IpJsonLink[]
  // `ip -j -4 addr show dev X` prints [{}] for a link with no IPv4 address on some iproute2 versions.
  const link = links.find((l) => l.ifname) ?? links[0] ?? {}
  const flags = link.flags ?? []
  const addresses = (link.addr_info ?? [])
    .filter((a) => (a.family ?? 'inet') === 'inet' && typeof a.local === 'string')
    .map((a) => ({address: a.local as string, prefix: a.prefixlen ?? 32, secondary: a.secondary === true}))
  return {exists: true, up: flags.includes('UP') && flags.includes('LOWER_UP'), addresses}
}
