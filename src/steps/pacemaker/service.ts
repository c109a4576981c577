/**
 * pacemaker.service: corosync and pacemaker enabled and running on both nodes, then both nodes
 * online in one membership. Starting on a blank cluster, pacemaker starts with an empty
 * configuration (pacemaker.cib pushes hapair's next), so nothing moves yet. With a quorum device,
 * corosync-qdevice needs certificates from the qnetd host, which hapair does not make yet: the
 * step refuses rather than start a cluster whose quorum does not work.
 */
import type {Change, Step} from '../../engine/step.js'
import {RefusalError} from '../../errors.js'
import {factSet} from '../../facts/fact.js'
import {crmMonFact, type CrmMonStatus} from '../../facts/pacemaker.js'
import {isActive, servicesFact, startsAtBoot, type ServiceStates} from '../../facts/services.js'
import {pacemakerSection} from './sections.js'

const ID = 'pacemaker.service'
const UNITS = ['corosync', 'pacemaker'] as const
/** corosync waits for all nodes at the first start (two_node implies wait_for_all): the start returns once the node is up. */
const ONLINE_WAIT_S = 120

export interface PacemakerServiceFacts {
  services: ServiceStates
  mon: CrmMonStatus
}

/** Waits until crm_mon shows every cluster node online (the membership formed, the DC elected). */
export function waitOnlineScript(nodes: string[]): string {
  const wanted = nodes.map((n) => `grep -q '<node name="${n}" [^>]*online="true"' "$t"`).join(' && ')
  return `t=$(mktemp); trap 'rm -f "$t"' EXIT
for i in $(seq 1 ${ONLINE_WAIT_S}); do
  crm_mon --output-as=xml -1 > "$t" 2>/dev/null || true
  if ${wanted} && grep -q '<current_dc present="true"' "$t"; then echo "${nodes.join(' and ')} online after $i s"; exit 0; fi
  sleep 1
done
echo "the cluster did not form within ${ONLINE_WAIT_S} s; crm_mon says:" >&2
crm_mon -1 >&2 2>&1 || true
exit 1`
}

export function membershipProblems(nodes: string[], mon: CrmMonStatus): string[] {
  if (!mon.available) return [`pacemaker does not answer: ${mon.error}`]
  const problems = nodes.filter((n) => !mon.nodes.some((m) => m.name === n && m.online)).map((n) => `${n} is not online in the cluster`)
  if (!mon.dc) problems.push('the cluster has no DC (designated controller)')
  if (mon.quorum === false) problems.push('the cluster has no quorum')
  return problems
}

export const pacemakerServiceStep: Step<PacemakerServiceFacts> = {
  id: ID,
  title: 'corosync and pacemaker running on both nodes, both online',
  facts: () => factSet({services: servicesFact([...UNITS]), mon: crmMonFact}),
  plan(ctx, facts) {
    const pm = pacemakerSection(ctx, ID)
    if (pm.quorumDevice) {
      throw new RefusalError(
        `${ID}: pacemaker.quorumDevice (${pm.quorumDevice.host}) is written into corosync.conf, but hapair does not make the qdevice certificates yet`,
        'run `corosync-qdevice-net-certutil` by hand as corosync-qdevice(8) describes, then run again; or remove quorumDevice to use two_node',
      )
    }
    const changes: Change[] = []
    const notes: string[] = []
    for (const node of ctx.nodes) {
      const s = facts[node.name].services
      const disabled = UNITS.filter((u) => !startsAtBoot(s[u]))
      const stopped = UNITS.filter((u) => !isActive(s[u]))
      if (disabled.length) changes.push({kind: 'command', node: node.name, title: `enable ${disabled.join(' and ')} at boot`, script: `systemctl enable ${disabled.join(' ')}`})
      if (stopped.length) changes.push({kind: 'command', node: node.name, title: `start ${stopped.join(' and ')}`, script: `systemctl reset-failed ${UNITS.join(' ')} 2>/dev/null || true\nsystemctl start ${UNITS.join(' ')}`, timeoutMs: 120_000})
      if (!disabled.length && !stopped.length) notes.push(`${node.name}: corosync and pacemaker enabled and running`)
    }
    if (changes.length) {
      // Both nodes' starts first (wait_for_all holds the first until the second joins), then one wait.
      const last = ctx.nodes[ctx.nodes.length - 1].name
      changes.push({kind: 'command', node: last, title: 'wait for both nodes online in the cluster', script: waitOnlineScript(ctx.nodes.map((n) => n.name)), timeoutMs: (ONLINE_WAIT_S + 30) * 1000})
    }
    return {changes, notes}
  },
  verify(ctx, facts) {
    const names = ctx.nodes.map((n) => n.name)
    const problems: string[] = []
    for (const node of ctx.nodes) {
      for (const u of UNITS) if (!isActive(facts[node.name].services[u])) problems.push(`${node.name}: ${u} is ${facts[node.name].services[u]?.active ?? 'unknown'}`)
    }
    problems.push(...membershipProblems(names, facts[names[0]].mon))
    return problems
  },
}
