/** IPv4 arithmetic the cluster file needs, on top of ipaddr.js. */
import {createRequire} from 'node:module'

/**
 * ipaddr.js is one 30 KB CommonJS file: imported from ESM, Node first scans all of it for its
 * export names (cjs-module-lexer), which cost every command ~3x what require() costs, before
 * its first remote byte (start-up: README, Benchmarks). Required, it is also served by the code cache.
 */
export const ipaddr: typeof import('ipaddr.js') = createRequire(import.meta.url)('ipaddr.js')

export function isIPv4(text: unknown): text is string {
  return typeof text === 'string' && ipaddr.IPv4.isValidFourPartDecimal(text)
}

export function isPrefix(prefix: unknown): prefix is number {
  return typeof prefix === 'number' && Number.isInteger(prefix) && prefix >= 0 && prefix <= 32
}

/** Does `address` lie in `network`/`prefix`? */
export function inSubnet(address: string, network: string, prefix: number): boolean {
  return ipaddr.IPv4.parse(address).match(ipaddr.IPv4.parse(network), prefix)
}

/** `192.168.1.151`, 24 -> `192.168.1.0/24` */
export function subnetOf(address: string, prefix: number): string {
  return `${ipaddr.IPv4.networkAddressFromCIDR(`${address}/${prefix}`).toString()}/${prefix}`
}

/** The network or broadcast address of the subnet (never a usable host), for prefixes up to /30. */
export function isNetworkOrBroadcast(address: string, prefix: number): 'network' | 'broadcast' | undefined {
  if (prefix > 30) return undefined
  const cidr = `${address}/${prefix}`
  if (ipaddr.IPv4.networkAddressFromCIDR(cidr).toString() === address) return 'network'
  if (ipaddr.IPv4.broadcastAddressFromCIDR(cidr).toString() === address) return 'broadcast'
  return undefined
}

/**
 * An /etc/exports client as exports(5) allows it: `*`, a host name (wildcards allowed), `@netgroup`,
 * an IPv4 address, or a network as `address/prefix` or `address/netmask`.
 */
export function isExportClient(text: string): boolean {
  if (text === '*') return true
  if (/^@[\w.-]+$/.test(text)) return true
  const slash = text.indexOf('/')
  if (slash >= 0) {
    const [addr, mask] = [text.slice(0, slash), text.slice(slash + 1)]
    if (!isIPv4(addr)) return false
    if (/^\d{1,2}$/.test(mask)) return Number(mask) <= 32
    return isIPv4(mask) && ipaddr.IPv4.parse(mask).prefixLengthFromSubnetMask() !== null
  }
  if (/^\d+(\.\d+){3}$/.test(text)) return isIPv4(text)
  // Host names, with the * and ? wildcards exports(5) accepts.
  return /^(?=.{1,253}$)([a-zA-Z0-9*?]([a-zA-Z0-9*?-]{0,61}[a-zA-Z0-9*?])?)(\.[a-zA-Z0-9*?]([a-zA-Z0-9*?-]{0,61}[a-zA-Z0-9*?])?)*$/.test(text)
}
