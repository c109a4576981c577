/**
 * The second half of loading a cluster file, the part that looks outside it: how each node is
 * reached (~/.ssh/config's HostName, User, Port, IdentityFile, ProxyJump, StrictHostKeyChecking
 * for the node's address, where the cluster file leaves them unset, as ssh(1) lets its command
 * line win over its config) and the node's IPv4 when `address` is a host name (a local lookup).
 *
 * Resolving is refused, not guessed, when the answer could be wrong: a name reached through a
 * jump host (it is resolved on the far side), an IPv6 address (the VIP is IPv4), a name that
 * resolves to loopback or to several addresses. Each refusal names the node's path and the fix:
 * `ip:` in the cluster file.
 */
import {lookup as dnsLookup} from 'node:dns/promises'
import {userInfo} from 'node:os'
import type {ConfigProblem} from '../errors.js'
import {isHostname, isIP, isIPv6} from './address.js'
import {isIPv4} from './net.js'
import {JUMP_HOP_RE, type ClusterConfig, type NodeConfig, type SshConfig, type SshHop, type SshRoute} from './schema.js'
import type {SshConfigEntry, SshConfigLookup} from '../transport/ssh-config.js'

/** IPv4 addresses a name resolves to on this machine. */
export type ResolveName = (name: string) => Promise<string[]>

export interface ResolveDeps {
  sshConfig: SshConfigLookup
  resolveName: ResolveName
  /** Whose name a jump hop without a user logs in as (ssh(1): the local user). */
  localUser?: string
}

export const dnsResolveName: ResolveName = async (name) => (await dnsLookup(name, {all: true, family: 4})).map((a) => a.address)

/** Each node with its ssh route and IPv4 filled in, or every problem found. `raw` is the file's data, to tell set keys from defaults. */
export async function resolveNodes(config: ClusterConfig, raw: unknown, deps: ResolveDeps): Promise<{config: ClusterConfig; problems: ConfigProblem[]}> {
  const problems: ConfigProblem[] = []
  const rawNodes = raw && typeof raw === 'object' && Array.isArray((raw as {nodes?: unknown}).nodes) ? ((raw as {nodes: unknown[]}).nodes) : []
  const nodes = await Promise.all(
    config.nodes.map(async (node, i) => {
      const path = `nodes[${i}]`
      const routed = sshRoute(node.address, node.ssh, explicitSsh(rawNodes[i]), path, deps, problems)
      if (!routed) return node
      const ip = node.ip ?? (isIPv4(node.address) ? undefined : await ipOf(node, routed.route.host, routed.route.jumps.length > 0, path, deps, problems))
      return {...node, ...(ip && {ip}), ssh: routed.ssh} as NodeConfig
    }),
  )
  return {config: {...config, nodes}, problems}
}

/**
 * One node's ssh settings completed from ~/.ssh/config (keys in `set` win), with the route to
 * dial when it differs from dialling the address directly. Undefined when ~/.ssh/config's
 * HostName is unusable (a problem is added). The wizard uses it too, for the node it just asked about.
 */
export function sshRoute(address: string, given: SshConfig, set: ReadonlySet<string>, path: string, deps: ResolveDeps, problems: ConfigProblem[]): {ssh: SshConfig; route: SshRoute} | undefined {
  const entry = deps.sshConfig(address)
  const ssh: SshConfig = {
    ...given,
    ...(!set.has('user') && entry.user && {user: entry.user}),
    ...(!set.has('port') && entry.port && {port: entry.port}),
    ...(!set.has('identityFile') && entry.identityFile && {identityFile: entry.identityFile}),
    ...(!set.has('proxyJump') && entry.proxyJump && {proxyJump: entry.proxyJump}),
  }
  const host = entry.hostName ?? address
  if (!isIP(host) && !isHostname(host)) {
    problems.push({path: `${path}.address`, message: `~/.ssh/config gives ${address} the HostName ${JSON.stringify(host)}, which is not an address or a host name`, fix: `correct the HostName of Host ${address} in ~/.ssh/config`})
    return undefined
  }
  const jumps = ssh.proxyJump ? jumpHops(ssh.proxyJump, `${path}.ssh.proxyJump`, deps, problems) : []
  const fromFile = usedFromFile(entry, set)
  const route: SshRoute = {host, jumps, ...(entry.acceptNewHostKeys && {acceptNewHostKeys: true}), ...(fromFile && {fromSshConfig: `${fromFile} from ~/.ssh/config`})}
  // A node dialled as written, directly, gets no route: its loaded config stays what the file says.
  const plain = host === address && jumps.length === 0 && !route.acceptNewHostKeys && !fromFile
  return {ssh: plain ? ssh : {...ssh, route}, route}
}

/** The ssh keys the cluster file itself sets for a node (those win over ~/.ssh/config). */
function explicitSsh(rawNode: unknown): Set<string> {
  const ssh = rawNode && typeof rawNode === 'object' ? (rawNode as {ssh?: unknown}).ssh : undefined
  return new Set(ssh && typeof ssh === 'object' ? Object.keys(ssh) : [])
}

function usedFromFile(entry: SshConfigEntry, set: ReadonlySet<string>): string | undefined {
  const key: Record<string, string> = {User: 'user', Port: 'port', IdentityFile: 'identityFile', ProxyJump: 'proxyJump'}
  const used = entry.used.filter((u) => !key[u] || !set.has(key[u]))
  return used.length ? used.join(', ') : undefined
}

/** `admin@bastion:2222,jump2` to hops, each completed from ~/.ssh/config as ssh(1) would. */
function jumpHops(spec: string, path: string, deps: ResolveDeps, problems: ConfigProblem[]): SshHop[] {
  const hops: SshHop[] = []
  for (const text of spec.split(',').map((h) => h.trim())) {
    const m = JUMP_HOP_RE.exec(text)
    const name = m ? (m[2].startsWith('[') ? m[2].slice(1, -1) : m[2]) : undefined
    if (!m || !name || !(isIP(name) || isHostname(name))) {
      problems.push({path, message: `jump host ${JSON.stringify(text)} is not [user@]host[:port]`, fix: 'write the jump host as `admin@bastion.example.com:22` (several comma-separated), in the cluster file or as ProxyJump in ~/.ssh/config'})
      continue
    }
    const entry = deps.sshConfig(name)
    const host = entry.hostName ?? name
    if (!isIP(host) && !isHostname(host)) {
      problems.push({path, message: `~/.ssh/config gives jump host ${name} the HostName ${JSON.stringify(host)}, which is not an address or a host name`, fix: `correct the HostName of Host ${name} in ~/.ssh/config`})
      continue
    }
    hops.push({
      name,
      host,
      port: m[3] ? Number(m[3]) : (entry.port ?? 22),
      user: m[1] ?? entry.user ?? deps.localUser ?? userInfo().username,
      ...(entry.identityFile && {identityFile: entry.identityFile}),
    })
  }
  return hops
}

async function ipOf(node: NodeConfig, host: string, jumped: boolean, path: string, deps: ResolveDeps, problems: ConfigProblem[]): Promise<string | undefined> {
  const need = `DRBD, keepalived and the VIP check need ${node.name}'s IPv4 address`
  const fix = `add \`ip: <${node.name}'s IPv4 address on the VIP's network>\` to ${path}`
  if (isIPv4(host)) return host
  if (isIPv6(host)) {
    problems.push({path: `${path}.address`, message: `${host} is an IPv6 address and the VIP is IPv4; ${need}`, fix})
    return undefined
  }
  if (jumped) {
    problems.push({path: `${path}.address`, message: `${host} is reached through a jump host, so this machine's answer for the name may not be the node's; ${need}`, fix})
    return undefined
  }
  let found: string[]
  try {
    found = [...new Set(await deps.resolveName(host))]
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    problems.push({path: `${path}.address`, message: `${host} does not resolve to an IPv4 address on this machine (${code}); ${need}`, fix: `${fix}, or make the name resolve here`})
    return undefined
  }
  if (found.length === 0) {
    problems.push({path: `${path}.address`, message: `${host} has no IPv4 address on this machine; ${need}`, fix: `${fix}, or make the name resolve here`})
    return undefined
  }
  if (found.some((a) => a.startsWith('127.'))) {
    problems.push({path: `${path}.address`, message: `${host} resolves to the loopback address ${found.find((a) => a.startsWith('127.'))} here; ${need}`, fix})
    return undefined
  }
  if (found.length > 1) {
    problems.push({path: `${path}.address`, message: `${host} resolves to ${found.join(', ')}; hapair cannot tell which one is ${node.name}'s on the VIP's network`, fix})
    return undefined
  }
  return found[0]
}
