/**
 * What `hapair init` reads from a node it just reached, to offer good defaults: the node's name
 * (`uname -n`, which the cluster file must repeat), its disks (which are blank), its IPv4
 * networks (which NIC holds the SSH address, and on which subnet) and its default gateway.
 * Read-only commands with pure parsers, tested on recorded output. The partition step does its
 * own, stricter check before writing to a disk; these only rank suggestions.
 */
import {factSet, splitSections, type Fact} from '../facts/fact.js'
import {isIPv4, subnetOf} from '../config/net.js'
import type {Host} from '../transport/host.js'

export interface BlockDevice {
  name: string
  path: string
  sizeBytes: number
  type: string
  fstype: string | null
  mountpoint: string | null
  pttype: string | null
  children: BlockDevice[]
}

export interface DiskCandidate {
  path: string
  sizeBytes: number
  /** Nothing on it: no partitions, partition table, filesystem signature or mount. */
  blank: boolean
  /** Why it is not blank ("has partitions vda1, vda2", "mounted at /"), for the wizard to show. */
  inUse: string[]
  /** Holds the root filesystem, directly or on a partition. */
  root: boolean
}

export interface Nic {
  name: string
  up: boolean
  addresses: {address: string; prefix: number}[]
}

export const hostnameFact: Fact<string> = {
  command: 'uname -n',
  parse(stdout, code) {
    const name = stdout.trim()
    if (code !== 0 || !name) throw new Error(`uname -n failed (exit ${code})`)
    return name
  },
}

export const LSBLK_COLUMNS = 'NAME,PATH,SIZE,TYPE,FSTYPE,MOUNTPOINT,PTTYPE'

export const blockDevicesFact: Fact<BlockDevice[]> = {
  command: `lsblk -J -b -o ${LSBLK_COLUMNS}`,
  parse(stdout, code) {
    if (code !== 0) throw new Error(`lsblk failed (exit ${code}): ${stdout.trim().slice(0, 200)}`)
    const json = JSON.parse(stdout) as {blockdevices?: unknown[]}
    return (json.blockdevices ?? []).map(toBlockDevice)
  },
}

/** lsblk before 2.33 prints sizes as strings and has no PATH column; accept both. */
function toBlockDevice(raw: any): BlockDevice {
  const name = String(raw.name)
  return {
    name,
    path: typeof raw.path === 'string' ? raw.path : `/dev/${name}`,
    sizeBytes: Number(raw.size) || 0,
    type: String(raw.type),
    fstype: raw.fstype ?? null,
    mountpoint: raw.mountpoint ?? null,
    pttype: raw.pttype ?? null,
    children: Array.isArray(raw.children) ? raw.children.map(toBlockDevice) : [],
  }
}

export const nicsFact: Fact<Nic[]> = {
  command: 'ip -j -4 addr show',
  parse(stdout, code) {
    if (code !== 0) throw new Error(`ip -j -4 addr failed (exit ${code}): ${stdout.trim().slice(0, 200)}`)
    return (JSON.parse(stdout) as any[])
      .filter((link) => typeof link.ifname === 'string')
      .map((link) => ({
        name: link.ifname,
        up: link.operstate === 'UP' || (Array.isArray(link.flags) && link.flags.includes('UP') && link.operstate !== 'DOWN'),
        addresses: (Array.isArray(link.addr_info) ? link.addr_info : [])
          .filter((a: any) => a.family === 'inet' && isIPv4(a.local))
          .map((a: any) => ({address: a.local, prefix: Number(a.prefixlen)})),
      }))
  },
}

export const gatewayFact: Fact<string | undefined> = {
  command: 'ip -j -4 route show default',
  parse(stdout, code) {
    if (code !== 0 || !stdout.trim()) return undefined
    const routes = JSON.parse(stdout) as {gateway?: string}[]
    return routes.map((r) => r.gateway).find(isIPv4)
  },
}

const FACTS = {hostname: hostnameFact, disks: blockDevicesFact, nics: nicsFact, gateway: gatewayFact}
/** One script for all of it: each command in its own subshell, so one failing does not stop the others. */
export const discoveryScript = factSet(FACTS).script

export interface Discovery {
  hostname?: string
  disks?: DiskCandidate[]
  nics?: Nic[]
  gateway?: string
  /** Facts that could not be read ("lsblk: ..."); the wizard falls back to asking. */
  problems: string[]
}

/** Parses each fact on its own, so an old `ip` without -j costs the NIC hints, not everything. */
export function parseDiscovery(stdout: string): Discovery {
  const sections = splitSections(stdout)
  const out: Discovery = {problems: []}
  const read = <T>(name: keyof typeof FACTS, fact: Fact<T>): T | undefined => {
    const section = sections.get(name)
    if (!section) {
      out.problems.push(`${name}: no output`)
      return undefined
    }
    try {
      return fact.parse(section.stdout, section.code)
    } catch (error) {
      out.problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`)
      return undefined
    }
  }
  out.hostname = read('hostname', hostnameFact)
  const devices = read('disks', blockDevicesFact)
  out.disks = devices && diskCandidates(devices)
  out.nics = read('nics', nicsFact)
  out.gateway = read('gateway', gatewayFact)
  return out
}

export async function discover(host: Host): Promise<Discovery> {
  const result = await host.run(discoveryScript, {label: 'read hostname, disks and networks', timeoutMs: 30_000})
  return parseDiscovery(result.stdout)
}

/** Whole disks worth offering; RAM disks, zram swap, loop, optical and DRBD devices are left out. */
export function diskCandidates(devices: BlockDevice[]): DiskCandidate[] {
  return devices
    .filter((d) => d.type === 'disk' && d.sizeBytes > 0 && !/^(zram|ram|drbd|fd)\d*/.test(d.name))
    .map((d) => {
      const inUse: string[] = []
      if (d.children.length) inUse.push(`has partitions ${d.children.map((c) => c.name).join(', ')}`)
      if (d.pttype) inUse.push(`has a ${d.pttype} partition table`)
      if (d.fstype) inUse.push(`holds ${d.fstype}`)
      const mounts = [d, ...descendants(d)].map((x) => x.mountpoint).filter((m): m is string => Boolean(m))
      if (mounts.length) inUse.push(`mounted at ${mounts.join(', ')}`)
      return {path: d.path, sizeBytes: d.sizeBytes, blank: inUse.length === 0, inUse, root: mounts.includes('/')}
    })
}

function descendants(d: BlockDevice): BlockDevice[] {
  return d.children.flatMap((c) => [c, ...descendants(c)])
}

/** The NIC holding `address`, and the prefix it has there. */
export function nicFor(nics: Nic[] | undefined, address: string): {name: string; prefix: number} | undefined {
  for (const nic of nics ?? []) {
    const hit = nic.addresses.find((a) => a.address === address)
    if (hit) return {name: nic.name, prefix: hit.prefix}
  }
  return undefined
}

/** The subnet `address` sits on, as `192.168.1.0/24`. */
export function subnetFor(nics: Nic[] | undefined, address: string): string | undefined {
  const nic = nicFor(nics, address)
  return nic ? subnetOf(address, nic.prefix) : undefined
}

/**
 * The disk to offer first: blank on both nodes under the same path (DRBD pairs them by path in
 * the cluster file), then blank on the first node only; never a disk that holds the root filesystem.
 */
export function suggestDisk(first: DiskCandidate[] | undefined, second: DiskCandidate[] | undefined): string | undefined {
  const blank = (list: DiskCandidate[] | undefined) => (list ?? []).filter((d) => d.blank && !d.root)
  const a = blank(first)
  const both = second ? a.filter((d) => blank(second).some((o) => o.path === d.path)) : a
  return (both[0] ?? a[0])?.path
}

/** A free-looking VIP in the nodes' subnet: host .200, .100, .250, .50, else the last host address. */
export function suggestVip(address: string, prefix: number, taken: string[]): string | undefined {
  if (!isIPv4(address) || prefix < 1 || prefix > 30) return undefined
  const network = subnetOf(address, prefix).split('/')[0].split('.').reduce((n, octet) => n * 256 + Number(octet), 0)
  const hosts = 2 ** (32 - prefix)
  for (const offset of [200, 100, 250, 50, hosts - 2]) {
    if (offset < 1 || offset > hosts - 2) continue
    const n = network + offset
    const candidate = [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.')
    if (!taken.includes(candidate)) return candidate
  }
  return undefined
}
