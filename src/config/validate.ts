/**
 * Rules that span several keys of the cluster file, which the schema alone cannot express.
 * Pure, and tolerant of a half-valid file: load.ts also runs these when the schema found problems
 * (so a user sees every problem in one go), so each rule checks the types it relies on and
 * stays silent about values the schema already reports.
 */
import {posix} from 'node:path'
import type {ConfigProblem} from '../errors.js'
import {addressKind, isIP, isIPv6} from './address.js'
import {isExportClient, isIPv4, isNetworkOrBroadcast, inSubnet, isPrefix, subnetOf} from './net.js'
import {SERVICES, STACKS, type ClusterConfig, type Service, type Stack} from './schema.js'
import {formatSize, parseSize, sizeAmbiguity} from './size.js'
import {DEFAULT_PRIORITIES} from '../stacks/preferred-node.js'
import {STACK_DESCRIPTORS, describeChoice, serviceOf, stackFor} from '../stacks/registry.js'
import {duplicateValues as duplicates} from '../stacks/rules.js'
import type {LooseConfig as Config, StackDescriptor} from '../stacks/types.js'

/** Where NFS listens no matter what the cluster file says: nfsd and rpcbind. */
const NFS_PORTS: Record<number, string> = {2049: 'nfsd (NFS)', 111: 'rpcbind (NFS)'}
/** Mount points that would hide part of the operating system. */
export const SYSTEM_DIRS: ReadonlySet<string> = new Set(['/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib64', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/var'])
/** Smallest partition worth replicating: DRBD's internal metadata plus a filesystem need room. */
const MIN_PARTITION = 16 * 2 ** 20

export function crossCheck(config: ClusterConfig): ConfigProblem[] {
  const c = config as Config
  const stack = stackRule(c)
  return [
    ...nodeRules(c),
    ...vipRules(c),
    ...(stack.problem ? [stack.problem] : []),
    ...stackSectionRules(c, stack.descriptor),
    ...storageRules(c, stack.descriptor),
    ...pathRules(c, stack.descriptor),
    ...portRules(c, stack.descriptor),
    ...(stack.descriptor?.manager.rules?.(c) ?? []),
    ...(stack.descriptor?.service.rules?.(c) ?? []),
    ...drillRules(c),
  ]
}

/** The stack descriptor for `stack` x `service`, or the problem that there is none. */
function stackRule(c: Config): {descriptor?: StackDescriptor; problem?: ConfigProblem} {
  if (!STACKS.includes(c.stack as Stack)) return {}
  if (c.service !== undefined && !SERVICES.includes(c.service as Service)) return {}
  const service = serviceOf({stack: c.stack as Stack, service: c.service as Service | undefined, nfs: c.nfs as ClusterConfig['nfs']})
  const descriptor = stackFor(c.stack as Stack, service)
  if (descriptor) return {descriptor}
  return {
    problem: problem(
      c.service === undefined ? 'stack' : 'service',
      `${c.stack} serving ${service} is not a stack hapair builds`,
      `use one of: ${STACK_DESCRIPTORS.map(describeChoice).join('; ')}`,
    ),
  }
}

function problem(path: string, message: string, fix: string): ConfigProblem {
  return {path, message, fix}
}

function nodeList(c: Config) {
  return Array.isArray(c.nodes) ? c.nodes.filter((n) => n && typeof n === 'object') : []
}

function nodeRules(c: Config): ConfigProblem[] {
  if (!Array.isArray(c.nodes)) return []
  const out: ConfigProblem[] = []
  const nodes = nodeList(c)
  if (c.nodes.length !== 2) {
    out.push(
      problem(
        'nodes',
        `lists ${c.nodes.length} node${c.nodes.length === 1 ? '' : 's'}; a hapair cluster has exactly two`,
        c.nodes.length < 2
          ? 'add the second node: `- { name: node2, address: 192.168.1.152 }`'
          : 'keep the two nodes that share the disk; for an lvs stack, list the web servers under `lvs.realServers` instead',
      ),
    )
  }
  out.push(...duplicates(nodes.map((n, i) => ({path: `nodes[${i}].name`, value: typeof n.name === 'string' ? n.name.toLowerCase() : undefined})), 'node name', 'give each node its own name: the output of `uname -n` on that host'))
  out.push(...duplicates(nodes.map((n, i) => ({path: `nodes[${i}].address`, value: addressKind(n.address) ? String(n.address).toLowerCase() : undefined})), 'address', 'give each node its own address'))
  out.push(...duplicates(nodes.map((n, i) => ({path: `nodes[${i}].ip`, value: isIPv4(n.ip) ? n.ip : undefined})), 'IP address', 'give each node its own IP address'))

  // A dedicated replication link needs an address at both ends.
  const withRepl = nodes.filter((n) => n.replicationAddress !== undefined)
  if (nodes.length === 2 && withRepl.length === 1) {
    const i = nodes.findIndex((n) => n.replicationAddress === undefined)
    out.push(problem(`nodes[${i}].replicationAddress`, 'is missing while the other node has one; replication needs an address at both ends of the link', `add \`replicationAddress: <this node's address on the replication link>\` to nodes[${i}], or remove it from the other node`))
  }
  out.push(...duplicates(nodes.map((n, i) => ({path: `nodes[${i}].replicationAddress`, value: isIP(n.replicationAddress) ? n.replicationAddress : undefined})), 'replication address', "give each node its own address on the replication link"))
  // DRBD connects one family to the same family: an IPv4 end cannot reach an IPv6 one.
  if (withRepl.length === 2 && withRepl.every((n) => isIP(n.replicationAddress)) && isIPv6(withRepl[0].replicationAddress) !== isIPv6(withRepl[1].replicationAddress)) {
    out.push(problem('nodes[1].replicationAddress', `${withRepl[1].replicationAddress} and ${withRepl[0].replicationAddress} are of different IP families; DRBD connects IPv4 to IPv4 or IPv6 to IPv6`, 'give both nodes replication addresses of one family'))
  }

  // The preferred node must be unambiguous, or both nodes fight for (or both wait for) the service.
  if (nodes.length === 2) {
    const p = nodes.map((n, i) => (typeof n.priority === 'number' ? n.priority : DEFAULT_PRIORITIES[i]))
    if (p[0] === p[1]) {
      const i = nodes[1].priority !== undefined ? 1 : 0
      out.push(problem(`nodes[${i}].priority`, `both nodes have priority ${p[0]}; the preferred node needs the higher one`, `give the node that normally holds the service the higher priority, e.g. \`priority: 100\` on ${nodes[0].name ?? 'nodes[0]'} and \`priority: 90\` on ${nodes[1].name ?? 'nodes[1]'}`))
    }
  }
  return out
}

function vipRules(c: Config): ConfigProblem[] {
  const vip = c.vip
  if (!vip || !isIPv4(vip.address)) return []
  const out: ConfigProblem[] = []
  // What the VIP is checked against is each node's IPv4 (nodes[].ip for a node addressed by name or IPv6).
  const nodes = nodeList(c).map((n, i) => ({name: typeof n.name === 'string' ? n.name : `nodes[${i}]`, address: n.ip ?? n.address, repl: n.replicationAddress}))
  const owner = nodes.find((n) => n.address === vip.address || n.repl === vip.address)
  if (owner) {
    out.push(problem('vip.address', `${vip.address} is ${owner.name}'s own address; the VIP must be a third, unused address that moves between the nodes`, `pick an unused address in the nodes' subnet${isPrefix(vip.prefix) ? `, e.g. in ${subnetOf(vip.address, vip.prefix)}` : ''}`))
  }
  const {address, prefix} = vip
  if (!isPrefix(prefix)) return out
  const outside = nodes.filter((n) => isIPv4(n.address) && !inSubnet(n.address, address, prefix))
  if (outside.length) {
    const first = nodes.find((n) => isIPv4(n.address))!
    out.push(
      problem(
        'vip.address',
        `${address}/${prefix} does not contain ${outside.map((n) => `${n.name} (${n.address})`).join(' or ')}; the VIP must be on the nodes' own network`,
        `use an unused address in ${subnetOf(first.address as string, prefix)}, or correct \`vip.prefix\` to the nodes' network prefix`,
      ),
    )
  }
  const edge = isNetworkOrBroadcast(address, prefix)
  if (edge) {
    out.push(problem('vip.address', `${address} is the ${edge} address of ${subnetOf(address, prefix)}, not usable by a host`, `pick an unused host address inside ${subnetOf(address, prefix)}`))
  }
  return out
}

/** Sections the stack's manager and service need; sections its service does not use. */
function stackSectionRules(c: Config, stack: StackDescriptor | undefined): ConfigProblem[] {
  if (!stack) return []
  const out: ConfigProblem[] = []
  const {manager, service} = stack
  if (manager.sectionRequired && c[manager.section] === undefined) out.push(problem(manager.section, `is required for the ${stack.title} stack`, SECTION_FIX[manager.section]))
  for (const key of service.sections) {
    if (c[key] === undefined) out.push(problem(key, `is required for the ${stack.title} stack${key === 'storage' ? ': it replicates a disk with DRBD' : ''}`, SECTION_FIX[key]))
  }
  for (const key of service.unusedSections) {
    if (c[key] !== undefined) out.push(problem(key, `is not used by the ${stack.title} stack`, `remove the \`${key}\` section, or choose the stack that serves it (\`service:\`)`))
  }
  return out
}

const SECTION_FIX: Record<string, string> = {
  keepalived: 'add `keepalived: { virtualRouterId: 51 }` with a router id (1-255) no other VRRP router on this network uses',
  heartbeat: 'add `heartbeat: { deadtime: 5 }`',
  pacemaker: 'add `pacemaker: { fencing: { devices: [ { node: node1, ip: <BMC address>, username: admin }, { node: node2, ... } ] } }` with the passwords under `fencePasswords:` in the secrets file, or say `pacemaker: { fencing: none }` to run without fencing (a network cut then splits the cluster)',
  lvs: 'add `lvs: { port: 80, realServers: [ { name: web1, address: 192.168.1.161 }, { name: web2, address: 192.168.1.162 } ] }`',
  storage: 'add `storage: { disk: /dev/sdb, partition: { number: 1, size: 10G } }` naming a blank disk present on both nodes',
  filesystem: 'add `filesystem: { type: ext4, mountPoint: /data }`',
  nfs: 'add `nfs: { exports: [ { path: /data, clients: 192.168.1.0/24 } ] }`',
}

function storageRules(c: Config, stack: StackDescriptor | undefined): ConfigProblem[] {
  if (stack && !stack.service.usesDrbd) return []
  const out: ConfigProblem[] = []
  const disk = c.storage?.disk
  if (typeof disk === 'string' && disk.startsWith('/')) {
    if (!disk.startsWith('/dev/')) out.push(problem('storage.disk', `${disk} is not a device under /dev`, 'name the whole blank disk, e.g. `disk: /dev/sdb` (see `lsblk` on the nodes)'))
    else if (disk.startsWith('/dev/drbd')) out.push(problem('storage.disk', `${disk} is a DRBD device; storage.disk is the disk underneath it`, 'name the backing disk, e.g. `disk: /dev/sdb`'))
  }
  for (const [path, value] of [['storage.partition.size', c.storage?.partition?.size], ['drbd.syncRate', c.drbd?.syncRate]] as const) {
    const ambiguous = typeof value === 'string' ? sizeAmbiguity(value) : undefined
    if (ambiguous) out.push(problem(path, ambiguous.message, ambiguous.fix))
  }
  const size = c.storage?.partition?.size
  if (typeof size === 'string' && size !== 'rest') {
    const bytes = parseSize(size)
    if (bytes !== undefined && bytes < MIN_PARTITION) {
      out.push(problem('storage.partition.size', `${size} is ${bytes} bytes, too small for DRBD metadata plus a filesystem`, `use at least ${formatSize(MIN_PARTITION)} (sizes are binary: 10G = 10 GiB), or \`size: rest\` for the rest of the disk`))
    }
  }
  const rate = c.drbd?.syncRate
  if (typeof rate === 'string' && parseSize(rate) === 0) out.push(problem('drbd.syncRate', 'is zero: the initial sync would never finish', 'use a rate such as `syncRate: 100M` (per second)'))
  return out
}

function pathRules(c: Config, stack: StackDescriptor | undefined): ConfigProblem[] {
  const out: ConfigProblem[] = []
  const mount = c.filesystem?.mountPoint
  const normalMount = typeof mount === 'string' && mount.startsWith('/') && checkNormal('filesystem.mountPoint', mount, out)
  if (normalMount && SYSTEM_DIRS.has(mount)) {
    out.push(problem('filesystem.mountPoint', `${mount} is a system directory; mounting the replicated disk there would hide the files the system runs from`, 'use a directory of its own, e.g. `mountPoint: /data`'))
  }
  const exports = Array.isArray(c.nfs?.exports) ? c.nfs.exports : []
  const seen = new Map<string, number>()
  exports.forEach((e, i) => {
    if (!e || typeof e !== 'object') return
    if (typeof e.path === 'string' && e.path.startsWith('/') && checkNormal(`nfs.exports[${i}].path`, e.path, out)) {
      if (normalMount && stack?.service.usesDrbd !== false && e.path !== mount && !e.path.startsWith(`${mount}/`)) {
        out.push(problem(`nfs.exports[${i}].path`, `${e.path} is not on the replicated filesystem (${mount}); it would not follow the service to the other node`, `export ${mount} or a directory under it, e.g. \`path: ${mount}\``))
      }
      // One path may go to several clients (one entry each); the same path to the same client twice is a mistake.
      const key = `${e.path} ${typeof e.clients === 'string' ? e.clients.trim() : ''}`
      if (seen.has(key)) out.push(problem(`nfs.exports[${i}].path`, `${e.path} is exported to ${e.clients} twice (also nfs.exports[${seen.get(key)}])`, 'merge the two entries into one'))
      else seen.set(key, i)
    }
    if (typeof e.clients === 'string' && e.clients.length > 0 && !isExportClient(e.clients)) {
      out.push(problem(`nfs.exports[${i}].clients`, `${JSON.stringify(e.clients)} is not *, a host name, an IP address or a network like 192.168.1.0/24`, 'write one client spec, e.g. `clients: 192.168.1.0/24`; add another export entry for other clients'))
    }
  })
  return out
}

/** Flags `..`, `//` and trailing slashes: the same directory must always be spelt the same way. */
function checkNormal(path: string, value: string, out: ConfigProblem[]): boolean {
  const normal = posix.normalize(value).replace(/(.)\/$/, '$1')
  if (normal === value) return true
  out.push(problem(path, `${value} is not a plain absolute path`, `write it as \`${normal}\``))
  return false
}

/** The stack's configurable peer ports must not collide with SSH, NFS or each other. */
function portRules(c: Config, stack: StackDescriptor | undefined): ConfigProblem[] {
  if (!stack) return []
  const taken = new Map<number, string>()
  nodeList(c).forEach((n, i) => {
    const p = n.ssh?.port ?? 22
    if (typeof p === 'number' && !taken.has(p)) taken.set(p, `nodes[${i}].ssh.port (SSH)`)
  })
  if (stack.service.servesNfs) for (const [p, what] of Object.entries(NFS_PORTS)) taken.set(Number(p), what)
  const out: ConfigProblem[] = []
  for (const {path, fallback} of configuredPorts(stack)) {
    const port = path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), c) ?? fallback
    if (typeof port !== 'number') continue
    const other = taken.get(port)
    if (other) out.push(problem(path, `port ${port} is already used by ${other}`, `choose a free port for ${path}, e.g. ${freePort(fallback, taken)}`))
    else taken.set(port, path)
  }
  return out
}

/** Each peer channel whose port the cluster file sets, with the default port (from defaults-only config). */
function configuredPorts(stack: StackDescriptor): {path: string; fallback: number}[] {
  const defaults = {drbd: {port: 7788, resource: 'r0'}, heartbeat: {udpPort: 694}, pacemaker: {port: 5405, transport: 'knet'}, keepalived: {unicast: true}} as unknown as ClusterConfig
  return stack
    .peerChannels(defaults)
    .flatMap((ch) => (ch.proto !== 'vrrp' && ch.configPath && typeof ch.port === 'number' ? [{path: ch.configPath, fallback: ch.port}] : []))
}

function freePort(base: number, taken: Map<number, string>): number {
  let p = base
  while (taken.has(p)) p++
  return p
}

function drillRules(c: Config): ConfigProblem[] {
  const client = c.drill?.client
  if (!client || typeof client !== 'object') return []
  const out: ConfigProblem[] = []
  const nodes = nodeList(c)
  if (isIPv4(client.address) && (client.address === c.vip?.address || nodes.some((n) => n.address === client.address))) {
    out.push(problem('drill.client.address', `${client.address} is ${client.address === c.vip?.address ? 'the VIP' : 'a cluster node'}; the drill client must be a third machine`, 'use another machine that mounts the export, or `client: local`'))
  }
  if (typeof client.name === 'string' && nodes.some((n) => typeof n.name === 'string' && n.name.toLowerCase() === client.name!.toLowerCase())) {
    out.push(problem('drill.client.name', `${client.name} is a cluster node's name`, 'name the client machine after its own hostname'))
  }
  return out
}
