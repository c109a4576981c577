/**
 * keepalived.service: keepalived enabled and running on both nodes, the preferred node first,
 * and then checked from the outside: exactly one node holds the VIP, and that node serves while
 * the other does not. What "serves" means is the served service's (the stack descriptor's
 * `keepalived.serving`: NFS from the DRBD filesystem for nfs-keepalived).
 */
import type {NodeConfig} from '../../config/schema.js'
import type {Change, Step, StepContext} from '../../engine/step.js'
import {factSet, shq} from '../../facts/fact.js'
import {vipFact, type VipInfo} from '../../facts/ip.js'
import {osFact, type OsInfo} from '../../facts/os.js'
import {isActive, servicesFact, startsAtBoot, type ServiceStates} from '../../facts/services.js'
import {preferredNode} from '../../stacks/preferred-node.js'
import {stackOf} from '../../stacks/registry.js'
import {HA_LOG_PATH} from '../../templates/scripts/paths.js'
import {RefusalError} from '../../errors.js'
import {familyOf} from '../../distro/family.js'
import type {ServingCheck} from '../serving/types.js'
import {requireKeepalived} from './sections.js'

export interface KeepalivedServiceFacts {
  os: OsInfo
  services: ServiceStates
  vip: VipInfo
  /** The served service's own fact (for NFS: what is mounted, whether the NFS state is bound). */
  serving: unknown
}

/** The stack's serving check; a stack without one does not run keepalived. */
function servingOf(ctx: StepContext): ServingCheck {
  const stack = stackOf(ctx.config)
  if (!stack.keepalived) throw new RefusalError(`keepalived.service: the ${stack.title} stack does not run keepalived`, `its runbook is ${stack.runbook}`)
  return stack.keepalived.serving
}

const UNIT = 'keepalived'
/** Longest the first node's start waits to hold the VIP with NFS up: election (3 adverts) plus the notify script's takeover. */
export const TAKEOVER_WAIT_S = 90

/** The preferred node first, so it is MASTER before its peer starts (deterministic also under nopreempt). */
function orderedNodes(ctx: StepContext): NodeConfig[] {
  const first = preferredNode(ctx.config)
  return [first, ...ctx.nodes.filter((n) => n.name !== first.name)]
}

/**
 * Starts keepalived on a node whose peer already runs it, then waits until this node has settled:
 * the election is over (3 adverts and a margin) and it either serves (VIP and service) or does not
 * (neither). A preferring node takes the service back on start (preempt), which takes seconds.
 * `running` is the served service's shell condition for "any part of it runs here".
 */
export function startAndSettleScript(ctx: StepContext, running: string, what: string): string {
  const {vip} = ctx.config
  const election = 3 * (ctx.config.keepalived?.advertInt ?? 1) + 2
  return `systemctl start ${UNIT}
sleep ${election}
for i in $(seq 1 ${TAKEOVER_WAIT_S}); do
  vip=no; ip -4 -o addr show dev ${shq(vip.interface)} | grep -F ${shq(` inet ${vip.address}/`)} >/dev/null && vip=yes
  svc=no; ${running} && svc=yes
  if [ "$vip" = "$svc" ]; then echo "settled after $((i + ${election})) s: serving=$vip"; exit 0; fi
  sleep 1
done
echo "keepalived started but this node did not settle within ${TAKEOVER_WAIT_S} s (VIP $vip, ${what} $svc); last HA log lines:" >&2
tail -n 25 ${HA_LOG_PATH} >&2 2>/dev/null
exit 1`
}

/**
 * Starts keepalived and waits until this node holds the VIP and serves completely (`serving`, the
 * served service's shell condition: for NFS, the server running with the replicated NFS state
 * bound in, i.e. the notify script's takeover has finished); prints the HA log on timeout.
 */
export function startAndTakeOverScript(ctx: StepContext, serving: string, what: string): string {
  const {vip} = ctx.config
  return `systemctl start ${UNIT}
for i in $(seq 1 ${TAKEOVER_WAIT_S}); do
  if ip -4 -o addr show dev ${shq(vip.interface)} | grep -F ${shq(` inet ${vip.address}/`)} >/dev/null && ${serving}; then
    echo "holds ${vip.address} and serves ${what} after $i s"; exit 0
  fi
  sleep 1
done
echo "did not take over ${vip.address} with ${what} running within ${TAKEOVER_WAIT_S} s; last HA log lines:" >&2
tail -n 25 ${HA_LOG_PATH} >&2 2>/dev/null
exit 1`
}

export const keepalivedServiceStep: Step<KeepalivedServiceFacts> = {
  id: 'keepalived.service',
  title: 'keepalived running on both nodes; the VIP and the service on one',
  nodes: orderedNodes,
  sequential: true,
  facts(ctx) {
    const serving = servingOf(ctx)
    return factSet({
      os: osFact,
      services: servicesFact([UNIT, ...serving.units]),
      vip: vipFact(ctx.config.vip.interface, ctx.config.vip.address),
      serving: serving.fact(ctx),
    })
  },
  plan(ctx, facts) {
    requireKeepalived(ctx)
    const serving = servingOf(ctx)
    const changes: Change[] = []
    const notes: string[] = []
    const nodes = orderedNodes(ctx)
    const preferred = nodes[0]
    const anyRunning = nodes.some((n) => isActive(facts[n.name].services[UNIT]))
    for (const node of nodes) {
      const s = facts[node.name].services[UNIT]
      if (!startsAtBoot(s)) changes.push({kind: 'command', node: node.name, title: `enable ${UNIT} at boot`, script: `systemctl enable ${UNIT}`})
      if (!isActive(s)) {
        // First start of the cluster: the preferred node takes the service before its peer starts.
        const takeOver = node.name === preferred.name && !anyRunning
        const family = familyOf(node, facts[node.name].os, ctx.options.forceDistro)
        changes.push({
          kind: 'command',
          node: node.name,
          title: takeOver ? `start ${UNIT} and take over ${ctx.config.vip.address} + ${serving.what}` : `start ${UNIT}`,
          script: takeOver
            ? startAndTakeOverScript(ctx, serving.servingCondition(ctx, family), serving.what)
            : startAndSettleScript(ctx, serving.runningCondition(ctx, family), serving.what),
          timeoutMs: (TAKEOVER_WAIT_S + 30) * 1000,
        })
      }
      if (!changes.some((c) => c.node === node.name)) notes.push(`${node.name}: ${UNIT} enabled and running`)
    }
    return {changes, notes}
  },
  verify(ctx, facts) {
    const problems: string[] = []
    const serving = servingOf(ctx)
    const holders = ctx.nodes.filter((n) => facts[n.name].vip.holdsVip)
    for (const node of ctx.nodes) {
      const f = facts[node.name]
      if (!isActive(f.services[UNIT])) problems.push(`${node.name}: ${UNIT} is ${f.services[UNIT]?.active ?? 'unknown'}`)
      if (!f.vip.exists) problems.push(`${node.name}: interface ${ctx.config.vip.interface} does not exist`)
    }
    if (holders.length === 0) problems.push(`no node holds the VIP ${ctx.config.vip.address} (see ${HA_LOG_PATH} and journalctl -u ${UNIT})`)
    if (holders.length > 1) {
      problems.push(`both nodes hold the VIP ${ctx.config.vip.address}: VRRP adverts are not getting through (firewall dropping IP protocol 112? multicast blocked: try keepalived.unicast: true)`)
    }
    for (const node of ctx.nodes) {
      const f = facts[node.name]
      const own = {family: familyOf(node, f.os, ctx.options.forceDistro), active: (unit: string) => isActive(f.services[unit]), own: f.serving}
      problems.push(...serving.verify(ctx, node, own, f.vip.holdsVip && holders.length === 1, f.vip.holdsVip))
    }
    return problems
  },
}
