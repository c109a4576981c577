/**
 * The kernel's IPVS table as `ipvsadm -Ln` prints it, and whether the ip_vs module is loaded.
 * Read only when the module is already loaded: ipvsadm loads ip_vs itself, and a facts read must
 * change nothing.
 */
import type {Fact} from './fact.js'

export interface IpvsRealServer {
  address: string
  port: number
  /** Route (DR), Masq (NAT), Tunnel. */
  forward: string
  weight: number
  activeConn: number
  inactiveConn: number
}

export interface IpvsService {
  protocol: 'TCP' | 'UDP' | 'SCTP'
  address: string
  port: number
  scheduler: string
  /** persistence_timeout in seconds, when the service is persistent. */
  persistent?: number
  reals: IpvsRealServer[]
}

export type IpvsTable = {state: 'no-module'} | {state: 'no-ipvsadm'} | {state: 'read'; services: IpvsService[]}

export const ipvsFact: Fact<IpvsTable> = {
  command: `if [ ! -d /sys/module/ip_vs ]; then echo 'ip_vs: not loaded'; exit 0; fi
command -v ipvsadm >/dev/null || { echo 'ipvsadm: not installed'; exit 0; }
ipvsadm -Ln`,
  parse: (stdout) => parseIpvsTable(stdout),
}

const SERVICE = /^(TCP|UDP|SCTP)\s+(\d+\.\d+\.\d+\.\d+):(\d+)\s+(\S+)(.*)$/
const REAL = /^\s+->\s+(\d+\.\d+\.\d+\.\d+):(\d+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/

/** Pure: `ipvsadm -Ln` output (or the fact's own "not loaded" / "not installed" line) to the table. */
export function parseIpvsTable(stdout: string): IpvsTable {
  if (stdout.startsWith('ip_vs: not loaded')) return {state: 'no-module'}
  if (stdout.startsWith('ipvsadm: not installed')) return {state: 'no-ipvsadm'}
  const services: IpvsService[] = []
  for (const line of stdout.split('\n')) {
    const s = SERVICE.exec(line)
    if (s) {
      const persistent = /\bpersistent (\d+)/.exec(s[5])
      services.push({protocol: s[1] as IpvsService['protocol'], address: s[2], port: Number(s[3]), scheduler: s[4], ...(persistent && {persistent: Number(persistent[1])}), reals: []})
      continue
    }
    const r = REAL.exec(line)
    // The header's "-> RemoteAddress:Port" line has no numbers and does not match.
    if (r && services.length > 0) {
      services.at(-1)!.reals.push({address: r[1], port: Number(r[2]), forward: r[3], weight: Number(r[4]), activeConn: Number(r[5]), inactiveConn: Number(r[6])})
    }
  }
  return {state: 'read', services}
}

/** The service `address:port` of `protocol` in a table, if there. */
export function findIpvsService(table: IpvsTable, protocol: string, address: string, port: number): IpvsService | undefined {
  return table.state === 'read' ? table.services.find((s) => s.protocol === protocol && s.address === address && s.port === port) : undefined
}

export const ipVsModuleFact: Fact<boolean> = {
  command: `[ -d /sys/module/ip_vs ] && echo loaded || echo absent`,
  parse: (stdout) => stdout.trim() === 'loaded',
}
