/**
 * LVS serving, as keepalived.service checks it: the VIP holder's IPVS table has the virtual
 * service as the cluster file describes it (scheduler, persistence, direct routing) with every
 * real server of the pool in it. keepalived builds the table on the backup director too, so the
 * other director is not asked to have none; "any part running" is the VIP itself.
 */
import type {StepContext} from '../../engine/step.js'
import {shq} from '../../facts/fact.js'
import {findIpvsService, ipvsFact, type IpvsTable} from '../../facts/ipvs.js'
import {lvsSection} from '../../templates/keepalived-lvs.js'
import type {ServingCheck} from '../serving/types.js'

const vipCondition = (ctx: StepContext) => `ip -4 -o addr show dev ${shq(ctx.config.vip.interface)} | grep -F ${shq(` inet ${ctx.config.vip.address}/`)} >/dev/null`

/** Problems of the virtual service in one director's table, against the cluster file. */
export function ipvsProblems(ctx: StepContext, node: string, table: IpvsTable): string[] {
  const lvs = lvsSection(ctx.config)
  const vs = `${lvs.protocol} ${ctx.config.vip.address}:${lvs.port}`
  if (table.state === 'no-module') return [`${node}: the ip_vs module is not loaded, so there is no IPVS table (see the lvs.module step)`]
  if (table.state === 'no-ipvsadm') return [`${node}: ipvsadm is not installed; the IPVS table cannot be read (see the lvs.packages step)`]
  const service = findIpvsService(table, lvs.protocol, ctx.config.vip.address, lvs.port)
  if (!service) return [`${node}: IPVS has no virtual service ${vs} (keepalived did not load it: journalctl -u keepalived)`]
  const problems: string[] = []
  if (service.scheduler !== lvs.scheduler) problems.push(`${node}: ${vs} schedules ${service.scheduler}, not ${lvs.scheduler}`)
  if ((service.persistent ?? undefined) !== lvs.persistenceTimeout) problems.push(`${node}: ${vs} persistence is ${service.persistent ?? 'off'}, not ${lvs.persistenceTimeout ?? 'off'}`)
  for (const rs of lvs.realServers) {
    const real = service.reals.find((r) => r.address === rs.address && r.port === lvs.port)
    if (!real) problems.push(`${node}: ${rs.name} (${rs.address}:${lvs.port}) is not in ${vs}: keepalived's ${lvs.healthCheck.type} check fails from the director (journalctl -u keepalived)`)
    else {
      if (real.forward !== 'Route') problems.push(`${node}: ${rs.name} is forwarded by ${real.forward}, not Route (direct routing)`)
      if (real.weight !== rs.weight) problems.push(`${node}: ${rs.name} has weight ${real.weight}, not ${rs.weight}`)
    }
  }
  const unknown = service.reals.filter((r) => !lvs.realServers.some((rs) => rs.address === r.address))
  for (const r of unknown) problems.push(`${node}: ${vs} forwards to ${r.address}:${r.port}, which is not a real server of the cluster file`)
  return problems
}

export const lvsServing: ServingCheck<IpvsTable> = {
  what: 'the LVS virtual service',
  units: [],
  fact: () => ipvsFact,
  servingCondition: (ctx) => `${vipCondition(ctx)} && ipvsadm -Ln -t ${shq(`${ctx.config.vip.address}:${lvsSection(ctx.config).port}`)} >/dev/null 2>&1`,
  runningCondition: (ctx) => vipCondition(ctx),
  verify: (ctx, node, f, soleHolder) => (soleHolder ? ipvsProblems(ctx, node.name, f.own) : []),
}
