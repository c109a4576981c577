/**
 * lvs.loopback: the VIP as a /32 on `lo` of each real server, so it accepts the packets the
 * director forwards by MAC, owned by hapair's own unit (enabled, so it is back after a reboot).
 * Refused while ARP is not yet left to the director (lvs.arp): the VIP on lo with default ARP
 * settings would answer for the VIP and take the clients away from the director.
 */
import type {Change, Step} from '../../engine/step.js'
import {factSet} from '../../facts/fact.js'
import {fileFact, type FileInfo} from '../../facts/file.js'
import {interfaceFact, type InterfaceInfo} from '../../facts/ip.js'
import {isActive, servicesFact, startsAtBoot, type ServiceStates} from '../../facts/services.js'
import {sysctlFact, type SysctlValues} from '../../facts/sysctl.js'
import {ARP_SETTINGS, LOOPBACK_UNIT, LOOPBACK_UNIT_PATH, PLAIN_FILE_MODE, loopbackUnitVip, renderLoopbackUnit} from '../../templates/lvs-hosts.js'
import {hostsOf} from '../../config/hosts.js'
import {RefusalError} from '../../errors.js'
import {planFile} from '../common/plan-file.js'
import {arpDrift} from './arp.js'

export interface LvsLoopbackFacts {
  unit: FileInfo
  services: ServiceStates
  lo: InterfaceInfo
  arp: SysctlValues
}

/** Does lo carry the VIP as a /32 (a wider prefix would route the VIP's whole subnet to lo)? */
export function holdsVipOnLo(lo: InterfaceInfo, vip: string): boolean {
  return lo.addresses.some((a) => a.address === vip && a.prefix === 32)
}

export const lvsLoopbackStep: Step<LvsLoopbackFacts> = {
  id: 'lvs.loopback',
  title: 'real servers hold the VIP on lo (/32)',
  role: 'realServers',
  facts: () => factSet({unit: fileFact(LOOPBACK_UNIT_PATH), services: servicesFact([LOOPBACK_UNIT]), lo: interfaceFact('lo'), arp: sysctlFact(Object.keys(ARP_SETTINGS))}),
  plan(ctx, facts) {
    const vip = ctx.config.vip.address
    const changes: Change[] = []
    const notes: string[] = []
    const refusals: string[] = []
    for (const rs of hostsOf(ctx.config, 'realServers')) {
      const f = facts[rs.name]
      const file = planFile(rs.name, f.unit, {path: LOOPBACK_UNIT_PATH, content: renderLoopbackUnit(ctx.config), mode: PLAIN_FILE_MODE})
      const onLo = holdsVipOnLo(f.lo, vip)
      const state = f.services[LOOPBACK_UNIT]
      const mine: Change[] = []
      // A new VIP: the old unit's address comes off lo first (the new unit's ExecStop knows only the new one).
      const old = loopbackUnitVip(f.unit.content)
      if (old && old !== vip && holdsVipOnLo(f.lo, old)) mine.push({kind: 'command', node: rs.name, title: `remove the old VIP ${old}/32 from lo`, script: `ip addr del ${old}/32 dev lo`, timeoutMs: 60_000})
      if (file) mine.push(file, {kind: 'command', node: rs.name, title: `systemctl daemon-reload (${LOOPBACK_UNIT})`, script: 'systemctl daemon-reload', timeoutMs: 60_000})
      if (!startsAtBoot(state)) mine.push({kind: 'command', node: rs.name, title: `enable ${LOOPBACK_UNIT} at boot`, script: `systemctl enable ${LOOPBACK_UNIT}`, timeoutMs: 60_000})
      // restart, not start: a changed unit (a new VIP) must run its new ExecStart even when active.
      if (file || !onLo || !isActive(state)) mine.push({kind: 'command', node: rs.name, title: `put ${vip}/32 on lo (${LOOPBACK_UNIT})`, script: `systemctl restart ${LOOPBACK_UNIT}`, timeoutMs: 60_000})
      const drift = arpDrift(f.arp)
      if (!onLo && drift.length) {
        refusals.push(`${rs.name}: ARP is not left to the director yet (${drift.join(', ')}); the VIP on lo would answer ARP for ${vip} and take clients from the director`)
        continue
      }
      changes.push(...mine)
      if (mine.length === 0) notes.push(`${rs.name}: ${vip}/32 on lo, ${LOOPBACK_UNIT} enabled`)
    }
    if (refusals.length) throw new RefusalError(refusals.join('\n'), 'run the lvs.arp step first (`hapair run lvs-keepalived` runs it before this one)')
    return {changes, notes}
  },
}
