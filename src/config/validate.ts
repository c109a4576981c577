/**
 * Rules that span several keys of the cluster file, which the schema alone cannot express.
 * Pure, and tolerant of a half-valid file: load.ts also runs these when the schema found problems
 * (so a user sees every problem in one go), so each rule checks the types it relies on and
 * stays silent about values the schema already reports.
 */
import {posix} from 'node:path'
import type {ConfigProblem} from '../errors.js'
import {isExportClient, isIPv4, isNetworkOrBroadcast, inSubnet, isPrefix, subnetOf} from './net.js'
import {STACKS, type ClusterConfig, type Stack} from './schema.js'
import {formatSize, parseSize} from './size.js'

type Loose<T> = T extends (infer U)[] ? Loose<U>[] : T extends object ? {[K in keyof T]?: Loose<T[K]>} : T

type Config = Loose<ClusterConfig>

/** Where NFS listens no matter what the cluster file says: nfsd and rpcbind. */
const NFS_PORTS: Record<number, string> = {2049: 'nfsd (NFS)', 111: 'rpcbind (NFS)'}
/** Mount points that would hide part of the operating system. */
export const SYSTEM_DIRS: ReadonlySet<string> = new Set(['/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib64', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/var'])
/** Smallest partition worth replicating: DRBD's internal metadata plus a filesystem need room. */
const MIN_PARTITION = 16 * 2 ** 20

export const DEFAULT_PRIORITIES = [100, 90] as const

export function crossCheck(config: ClusterConfig): ConfigProblem[] {
  const c = config as Config
  const stack = STACKS.includes(c.stack as Stack) ? (c.stack as Stack) : undefined
  return [
    ...nodeRules(c),
    ...vipRules(c),
    ...stackSectionRules(c, stack),
    ...storageRules(c, stack),
    ...pathRules(c, stack),
    ...portRules(c, stack),
    ...heartbeatRules(c, stack),
    ...lvsRules(c, stack),
    ...drillRules(c),
  ]
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
  out.push(...duplicates(nodes.map((n, i) => ({path: `nodes[${i}].address`, value: isIPv4(n.address) ? n.address : undefined})), 'address', 'give each node its own address'))

  // A dedicated replication link needs an address at both ends.
  const withRepl = nodes.filter((n) => n.replicationAddress !== undefined)
  if (nodes.length === 2 && withRepl.length === 1) {
    const i = nodes.findIndex((n) => n.replicationAddress === undefined)
    out.push(problem(`nodes[${i}].replicationAddress`, 'is missing while the other node has one; replication needs an address at both ends of the link', `add \`replicationAddress: <this node's address on the replication link>\` to nodes[${i}], or remove it from the other node`))
  }
  out.push(...duplicates(nodes.map((n, i) => ({path: `nodes[${i}].replicationAddress`, value: isIPv4(n.replicationAddress) ? n.replicationAddress : undefined})), 'replication address', "give each node its own address on the replication link"))

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
  const nodes = nodeList(c).map((n, i) => ({name: typeof n.name === 'string' ? n.name : `nodes[${i}]`, address: n.address, repl: n.replicationAddress}))
  const ping = c.heartbeat?.ping
  if (isIPv4(ping) && (ping === vip.address || nodes.some((n) => n.address === ping))) {
    out.push(problem('heartbeat.ping', `${ping} is ${ping === vip.address ? 'the VIP' : 'a node'}; the ping target must be a third machine both nodes can reach`, 'use the gateway of the nodes\' network, e.g. `ping: 192.168.1.1`'))
  }
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

function stackSectionRules(c: Config, stack: Stack | undefined): ConfigProblem[] {
  if (!stack) return []
  const out: ConfigProblem[] = []
  if ((stack === 'keepalived' || stack === 'lvs') && c.keepalived === undefined) {
    out.push(problem('keepalived', `is required for the ${stack} stack (it runs VRRP for the VIP)`, 'add `keepalived: { virtualRouterId: 51 }` with a router id (1-255) no other VRRP router on this network uses'))
  }
  if (stack === 'lvs' && c.lvs === undefined) {
    out.push(problem('lvs', 'is required for the lvs stack', 'add `lvs: { port: 80, realServers: [ { name: web1, address: 192.168.1.161 } ] }`'))
  }
  if (stack !== 'lvs') {
    if (c.storage === undefined) {
      out.push(problem('storage', `is required for the ${stack} stack: it replicates a disk with DRBD`, 'add `storage: { disk: /dev/sdb, partition: { number: 1, size: 10G } }` naming a blank disk present on both nodes'))
    }
    if (c.filesystem === undefined) {
      out.push(problem('filesystem', `is required for the ${stack} stack: the replicated disk needs a filesystem and a mount point`, 'add `filesystem: { type: ext4, mountPoint: /data }`'))
    }
  }
  return out
}

function storageRules(c: Config, stack: Stack | undefined): ConfigProblem[] {
  if (stack === 'lvs') return []
  const out: ConfigProblem[] = []
  const disk = c.storage?.disk
  if (typeof disk === 'string' && disk.startsWith('/')) {
    if (!disk.startsWith('/dev/')) out.push(problem('storage.disk', `${disk} is not a device under /dev`, 'name the whole blank disk, e.g. `disk: /dev/sdb` (see `lsblk` on the nodes)'))
    else if (disk.startsWith('/dev/drbd')) out.push(problem('storage.disk', `${disk} is a DRBD device; storage.disk is the disk underneath it`, 'name the backing disk, e.g. `disk: /dev/sdb`'))
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

function pathRules(c: Config, stack: Stack | undefined): ConfigProblem[] {
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
      if (normalMount && stack !== 'lvs' && e.path !== mount && !e.path.startsWith(`${mount}/`)) {
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

function portRules(c: Config, stack: Stack | undefined): ConfigProblem[] {
  if (!stack) return []
  const taken = new Map<number, string>()
  nodeList(c).forEach((n, i) => {
    const p = n.ssh?.port ?? 22
    if (typeof p === 'number' && !taken.has(p)) taken.set(p, `nodes[${i}].ssh.port (SSH)`)
  })
  if (stack !== 'lvs' && c.nfs !== undefined) for (const [p, what] of Object.entries(NFS_PORTS)) taken.set(Number(p), what)
  const ours: {path: string; port: unknown}[] = []
  if (stack !== 'lvs') ours.push({path: 'drbd.port', port: c.drbd?.port ?? 7788})
  if (stack === 'heartbeat') ours.push({path: 'heartbeat.udpPort', port: c.heartbeat?.udpPort ?? 694})
  if (stack === 'pacemaker') ours.push({path: 'pacemaker.port', port: c.pacemaker?.port ?? 5405})
  const out: ConfigProblem[] = []
  for (const {path, port} of ours) {
    if (typeof port !== 'number') continue
    const other = taken.get(port)
    if (other) out.push(problem(path, `port ${port} is already used by ${other}`, `choose a free port for ${path}, e.g. ${freePort(path, taken)}`))
    else taken.set(port, path)
  }
  return out
}

function freePort(path: string, taken: Map<number, string>): number {
  const base = path === 'drbd.port' ? 7788 : path === 'heartbeat.udpPort' ? 694 : 5405
  let p = base
  while (taken.has(p)) p++
  return p
}

function heartbeatRules(c: Config, stack: Stack | undefined): ConfigProblem[] {
  const hb = c.heartbeat
  if (stack !== 'heartbeat' || !hb) return []
  const keepalive = hb.keepalive ?? 1
  const deadtime = hb.deadtime ?? 5
  const warntime = hb.warntime ?? 3
  const initdead = hb.initdead ?? 20
  if ([keepalive, deadtime, warntime, initdead].some((v) => typeof v !== 'number')) return []
  const out: ConfigProblem[] = []
  if (deadtime <= keepalive) out.push(problem('heartbeat.deadtime', `${deadtime}s is not longer than keepalive (${keepalive}s): a single late heartbeat would declare the peer dead`, `use several keepalives, e.g. \`deadtime: ${keepalive * 5}\``))
  else if (warntime >= deadtime) out.push(problem('heartbeat.warntime', `${warntime}s is not shorter than deadtime (${deadtime}s), so it never warns`, `use a value between keepalive and deadtime, e.g. \`warntime: ${Math.max(keepalive + 1, Math.floor(deadtime / 2))}\``))
  if (initdead < deadtime) out.push(problem('heartbeat.initdead', `${initdead}s is shorter than deadtime (${deadtime}s); a booting peer would be declared dead`, `use at least twice deadtime, e.g. \`initdead: ${deadtime * 2}\``))
  return out
}

function lvsRules(c: Config, stack: Stack | undefined): ConfigProblem[] {
  if (stack !== 'lvs' || !Array.isArray(c.lvs?.realServers)) return []
  const servers = c.lvs.realServers.filter((s) => s && typeof s === 'object')
  const used = new Map<string, string>()
  if (isIPv4(c.vip?.address)) used.set(c.vip.address, 'the VIP')
  nodeList(c).forEach((n, i) => isIPv4(n.address) && used.set(n.address, `nodes[${i}] (a director)`))
  const out: ConfigProblem[] = []
  servers.forEach((s, i) => {
    if (!isIPv4(s.address)) return
    const other = used.get(s.address)
    if (other) out.push(problem(`lvs.realServers[${i}].address`, `${s.address} is also ${other}`, 'give each real server its own address, apart from the directors and the VIP'))
    else used.set(s.address, `lvs.realServers[${i}]`)
  })
  out.push(...duplicates(servers.map((s, i) => ({path: `lvs.realServers[${i}].name`, value: typeof s.name === 'string' ? s.name.toLowerCase() : undefined})), 'real server name', 'give each real server its own name'))
  return out
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

function duplicates(entries: {path: string; value: string | undefined}[], what: string, fix: string): ConfigProblem[] {
  const first = new Map<string, string>()
  const out: ConfigProblem[] = []
  for (const {path, value} of entries) {
    if (value === undefined) continue
    const earlier = first.get(value)
    if (earlier) out.push(problem(path, `${what} ${value} is already used by ${earlier.replace(/\.[^.]+$/, '')}`, fix))
    else first.set(value, path)
  }
  return out
}
