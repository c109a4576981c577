/**
 * hapair's block in /etc/hosts: both node names with their cluster-file addresses between
 * `# BEGIN hapair` and `# END hapair`. Lines outside the block are never changed.
 *
 * Where the block goes matters: gethostbyname() takes the FIRST line naming a host, so an
 * existing block is replaced where it stands, and a new block is appended at the end, except
 * that it goes before any user line mapping a node name elsewhere (Debian's `127.0.1.1 node1`).
 * That is not enough on its own: getaddrinfo() returns EVERY line naming the host, sorted (a
 * loopback address first), so a conflicting user line must go, and only the operator removes it
 * (conflictingLines names them).
 */
import {nodeIp} from '../config/address.js'
import type {ClusterConfig, NodeConfig} from '../config/schema.js'

export const HOSTS_BEGIN = '# BEGIN hapair'
export const HOSTS_END = '# END hapair'

/** The addresses a node's name may rightly resolve to. */
export function nodeAddresses(node: NodeConfig): string[] {
  return node.replicationAddress ? [nodeIp(node), node.replicationAddress] : [nodeIp(node)]
}

export function hostsBlockLines(config: ClusterConfig): string[] {
  return [
    `${HOSTS_BEGIN} (cluster ${config.name}; managed by \`hapair preflight --fix\`, edit the cluster file instead)`,
    ...config.nodes.map((n) => `${nodeIp(n)} ${n.name}`),
    HOSTS_END,
  ]
}

/** /etc/hosts content with hapair's block in place (idempotent: applying it twice changes nothing). */
export function withHostsBlock(existing: string | null, config: ClusterConfig): string {
  const text = existing ?? ''
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n')
  const begin = lines.findIndex((l) => l.startsWith(HOSTS_BEGIN))
  const endRel = begin < 0 ? -1 : lines.slice(begin).findIndex((l) => l.trim() === HOSTS_END)
  let at = lines.length
  if (begin >= 0) {
    // An unterminated block (someone deleted the END line) runs to the end of the file.
    const end = endRel < 0 ? lines.length - 1 : begin + endRel
    lines.splice(begin, end - begin + 1)
    at = begin
  }
  const wanted = new Map(config.nodes.map((n) => [n.name, nodeAddresses(n)]))
  const conflict = lines.findIndex((line) => conflicts(line, wanted))

  if (conflict >= 0 && conflict < at) at = conflict
  lines.splice(at, 0, ...hostsBlockLines(config))
  return `${lines.join('\n')}\n`
}

/** Lines outside hapair's block that map `name` to an address other than `wanted` (whitespace squeezed). */
export function conflictingLines(content: string | null, name: string, wanted: string[]): string[] {
  const lines = (content ?? '').split('\n')
  const out: string[] = []
  let inBlock = false
  for (const line of lines) {
    if (line.startsWith(HOSTS_BEGIN)) inBlock = true
    else if (inBlock && line.trim() === HOSTS_END) inBlock = false
    else if (!inBlock && conflicts(line, new Map([[name, wanted]]))) out.push(line.trim().replace(/\s+/g, ' '))
  }
  return out
}

function conflicts(line: string, wanted: Map<string, string[]>): boolean {
  const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/)
  return names.some((name) => wanted.has(name) && !wanted.get(name)!.includes(address))
}
