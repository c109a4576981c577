/**
 * lvs.arp: on each real server, arp_ignore=1 / arp_announce=2 for `lo` and `all`, in
 * /etc/sysctl.d (kept across boots) and live now (verified by reading /proc/sys again).
 * Before lvs.loopback: a real server with the VIP on lo and default ARP answers for the VIP
 * and steals the clients from the director.
 */
import type {Change, Step} from '../../engine/step.js'
import {factSet, shq} from '../../facts/fact.js'
import {fileFact, type FileInfo} from '../../facts/file.js'
import {sysctlFact, type SysctlValues} from '../../facts/sysctl.js'
import {ARP_SETTINGS, ARP_SYSCTL_PATH, PLAIN_FILE_MODE, renderArpSysctl} from '../../templates/lvs-hosts.js'
import {hostsOf} from '../../config/hosts.js'
import {planFile} from '../common/plan-file.js'

export interface LvsArpFacts {
  file: FileInfo
  live: SysctlValues
}

/** The settings whose live value differs from what DR needs, as `name=now`. */
export function arpDrift(live: SysctlValues): string[] {
  return Object.entries(ARP_SETTINGS).flatMap(([name, want]) => (live[name] === want ? [] : [`${name}=${live[name] ?? 'missing'} (wanted ${want})`]))
}

export const lvsArpStep: Step<LvsArpFacts> = {
  id: 'lvs.arp',
  title: 'real servers leave ARP for the VIP to the director (arp_ignore, arp_announce)',
  role: 'realServers',
  facts: () => factSet({file: fileFact(ARP_SYSCTL_PATH), live: sysctlFact(Object.keys(ARP_SETTINGS))}),
  plan(ctx, facts) {
    const changes: Change[] = []
    const notes: string[] = []
    for (const rs of hostsOf(ctx.config, 'realServers')) {
      const f = facts[rs.name]
      const file = planFile(rs.name, f.file, {path: ARP_SYSCTL_PATH, content: renderArpSysctl(), mode: PLAIN_FILE_MODE})
      const drift = arpDrift(f.live)
      if (file) changes.push(file)
      if (file || drift.length) {
        changes.push({kind: 'command', node: rs.name, title: `apply ${ARP_SYSCTL_PATH} now${drift.length ? ` (live: ${drift.join(', ')})` : ''}`, script: `sysctl -q -p ${shq(ARP_SYSCTL_PATH)}`, timeoutMs: 60_000})
      } else notes.push(`${rs.name}: arp_ignore=1, arp_announce=2 for lo and all, live and in ${ARP_SYSCTL_PATH}`)
    }
    return {changes, notes}
  },
}
