/**
 * Node addresses as an inventory writes them: an IPv4 or IPv6 literal, or a host name. A host
 * name is hostile input: it reaches ssh, known_hosts, messages and hints, so it is held to RFC
 * 1123 letters, digits, dots and hyphens (no leading hyphen: it would read as an option).
 *
 * Where the address is only dialled (SSH) any of the three is fine. Where it lands in a config
 * file that needs an IP of the VIP's family (keepalived's unicast peers, /etc/hosts, the
 * firewall's peer source, the VIP subnet check) the node's IPv4 is `nodeIp`: `nodes[].ip` when
 * given, else the address itself; load-time resolution (resolve-nodes.ts) fills `ip` in for a
 * name, and refuses when it cannot.
 */
import ipaddr from 'ipaddr.js'
import {isIPv4} from './net.js'

const LABEL = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/

export function isIPv6(text: unknown): text is string {
  return typeof text === 'string' && /^[0-9a-fA-F:.]+$/.test(text) && text.includes(':') && ipaddr.IPv6.isValid(text)
}

export function isIP(text: unknown): text is string {
  return isIPv4(text) || isIPv6(text)
}

/**
 * A DNS host name: labels of 1-63 letters, digits and inner hyphens, 253 characters at most, no
 * trailing dot. All-numeric dotted text is not a name (it is a mistyped IPv4 address).
 */
export function isHostname(text: unknown): text is string {
  if (typeof text !== 'string' || text.length === 0 || text.length > 253) return false
  const labels = text.split('.')
  if (!labels.every((l) => LABEL.test(l))) return false
  return !/^\d+$/.test(labels[labels.length - 1])
}

export type AddressKind = 'ipv4' | 'ipv6' | 'hostname'

export function addressKind(text: unknown): AddressKind | undefined {
  return isIPv4(text) ? 'ipv4' : isIPv6(text) ? 'ipv6' : isHostname(text) ? 'hostname' : undefined
}

/** The node's IPv4 on the VIP's network: `ip` when set (always, after load, for a name or IPv6), else the address. */
export function nodeIp(node: {address: string; ip?: string}): string {
  return node.ip ?? node.address
}

/** Where a node replicates: the dedicated link's address when there is one, else its IPv4. */
export function replicationIp(node: {address: string; ip?: string; replicationAddress?: string}): string {
  return node.replicationAddress ?? nodeIp(node)
}
