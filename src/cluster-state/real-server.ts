/**
 * One read of an LVS real server, shared by `status` and `preflight`: its OS, whether lo holds the
 * VIP as a /32, the live ARP settings, and whether the service answers there as the health check
 * asks. Pure judgement of it lives with each command (status/real-servers.ts, preflight/real-servers.ts).
 */
import type {ClusterConfig} from '../config/schema.js'
import {hostsOf} from '../config/hosts.js'
import {factSet, type FactSet} from '../facts/fact.js'
import {interfaceFact, type InterfaceInfo} from '../facts/ip.js'
import {osFact, type OsInfo} from '../facts/os.js'
import {probeFact, type ProbeResult} from '../facts/probe.js'
import {sysctlFact, type SysctlValues} from '../facts/sysctl.js'
import {ARP_SETTINGS} from '../templates/lvs-hosts.js'
import type {Unreachable} from '../transport/connect-all.js'
import type {Host} from '../transport/host.js'

export interface RealServerFacts {
  os: OsInfo
  lo: InterfaceInfo
  arp: SysctlValues
  service: ProbeResult
}

/** A real server that could not be connected or read, and why. */
export interface RealServerUnread {
  error: string
  hint?: string
}

export type RealServerRead = RealServerFacts | RealServerUnread

export const isUnread = (r: RealServerRead | undefined): r is RealServerUnread | undefined => r === undefined || 'error' in r

export function realServerFacts(config: ClusterConfig): FactSet<RealServerFacts> {
  const lvs = config.lvs
  const check = lvs?.healthCheck
  return factSet({
    os: osFact,
    lo: interfaceFact('lo'),
    arp: sysctlFact(Object.keys(ARP_SETTINGS)),
    service: probeFact({address: '127.0.0.1', port: lvs?.port ?? 80, ...(check?.type !== 'TCP_CHECK' && {path: check?.path ?? '/'}), timeoutS: check?.connectTimeout ?? 3}),
  })
}

/** Every real server's read, in cluster-file order: connected ones in parallel, the others with their reason. */
export async function readRealServers(config: ClusterConfig, hosts: Map<string, Host>, unreachable: Map<string, Unreachable>, timeoutMs: number): Promise<Record<string, RealServerRead>> {
  const set = realServerFacts(config)
  const entries = await Promise.all(
    hostsOf(config, 'realServers').map(async (rs): Promise<[string, RealServerRead]> => {
      const host = hosts.get(rs.name)
      if (!host) {
        const why = unreachable.get(rs.name)
        return [rs.name, {error: why?.message ?? 'not connected', ...(why?.hint ? {hint: why.hint} : {})}]
      }
      try {
        const r = await host.run(set.script, {label: 'real server facts', timeoutMs})
        return [rs.name, r.code === 0 ? set.parse(r.stdout) : {error: r.stderr.trim() || `exit ${r.code}`}]
      } catch (error) {
        return [rs.name, {error: error instanceof Error ? error.message : String(error)}]
      }
    }),
  )
  return Object.fromEntries(entries)
}
