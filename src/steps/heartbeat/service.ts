/**
 * heartbeat.service: heartbeat enabled and running on both nodes, the preferred node first (it
 * holds the resources before its peer joins, also under auto_failback off), then checked from the
 * outside: exactly one node is DRBD Primary with the filesystem mounted (and the VIP and NFS, for
 * nfs-heartbeat), the other holds none of it, `cl_status rscstatus` agrees on both, and under
 * auto_failback on the holder is the preferred node.
 * What "serving" means is the stack's (`heartbeat.serving` in its descriptor).
 */
import type {NodeConfig} from '../../config/schema.js'
import type {Change, Step, StepContext} from '../../engine/step.js'
import {factSet, shq} from '../../facts/fact.js'
import {drbdStateFact} from '../../facts/drbd.js'
import {clStatusFact, type ClStatus} from '../../facts/heartbeat.js'
import {vipFact, type VipInfo} from '../../facts/ip.js'
import {osFact, type OsInfo} from '../../facts/os.js'
import {isActive, servicesFact, startsAtBoot, type ServiceStates} from '../../facts/services.js'
import {familyOf} from '../../distro/family.js'
import {preferredNode} from '../../stacks/preferred-node.js'
import {HEARTBEAT_LOG_PATH} from '../../templates/heartbeat.js'
import type {DrbdState} from '../drbd/poll.js'
import {heartbeatSection, heartbeatStack} from './sections.js'

export interface HeartbeatServiceFacts {
  os: OsInfo
  services: ServiceStates
  drbd: DrbdState
  /** null for a stack that floats no VIP. */
  vip: VipInfo | null
  cl: ClStatus
  /** The served service's own fact (NFS: mount and state bind; filesystem: the mount). */
  serving: unknown
}

const UNIT = 'heartbeat'
/** Seconds beyond initdead a start waits for the node to settle: the resource scripts' own time limits. */
export const SETTLE_MARGIN_S = 90
/**
 * Seconds the condition must hold in a row. A joining peer reads settled the moment it is active,
 * then both nodes run the join's standby handshake ("wants to go standby [foreign]", `transition`
 * on both for 2-4 s in the lab): a single good look verified too early.
 */
export const STABLE_S = 4

/** The preferred node first: it takes the resources before its peer starts. */
function orderedNodes(ctx: StepContext): NodeConfig[] {
  const first = preferredNode(ctx.config)
  return [first, ...ctx.nodes.filter((n) => n.name !== first.name)]
}

/** Shell condition: this node holds the whole group (Primary, VIP when the stack floats one, the service serving). */
function holdsCondition(ctx: StepContext, serving: string): string {
  const {vip, drbd} = ctx.config
  const parts = [`drbdadm role ${shq(drbd.resource)} 2>/dev/null | grep '^Primary' >/dev/null`, serving]
  if (heartbeatStack(ctx, 'heartbeat.service').floatsVip) parts.unshift(`ip -4 -o addr show dev ${shq(vip.interface)} | grep -F ${shq(` inet ${vip.address}/`)} >/dev/null`)
  return parts.join(' && ')
}

/**
 * Starts heartbeat and waits, up to initdead plus a margin, for `done` (a shell condition on
 * `$rsc`, cl_status's word for the resources this node holds); prints heartbeat's log on timeout.
 */
export function startAndWaitScript(ctx: StepContext, done: string, what: string): string {
  const limit = heartbeatSection(ctx).initdead + SETTLE_MARGIN_S
  return `systemctl start ${UNIT}
ok=0
for i in $(seq 1 ${limit}); do
  rsc=$(cl_status rscstatus 2>/dev/null || true)
  if [ "$rsc" != transition ] && { ${done}; }; then ok=$((ok + 1)); else ok=0; fi
  if [ "$ok" -ge ${STABLE_S} ]; then echo "${what} after $i s (cl_status rscstatus: $rsc)"; exit 0; fi
  sleep 1
done
echo "heartbeat started but this node did not settle within ${limit} s (cl_status rscstatus: $rsc); last lines of ${HEARTBEAT_LOG_PATH}:" >&2
tail -n 25 ${HEARTBEAT_LOG_PATH} >&2 2>/dev/null
exit 1`
}

/**
 * What cl_status must say: the group belongs to the preferred node in haresources, so on that node
 * holding it reads `local` (or `all`) and on the peer `foreign` (or `all`); a node that does not
 * hold it must not claim it. `transition` means a takeover or release is still running.
 */
export function clStatusProblems(node: string, owner: boolean, holds: boolean, cl: ClStatus): string[] {
  if (!cl.running) return [`${node}: heartbeat does not answer cl_status`]
  if (cl.resources === 'transition') return [`${node}: heartbeat is still moving resources (cl_status rscstatus: transition)`]
  const claims = cl.resources === 'all' || cl.resources === (owner ? 'local' : 'foreign')
  if (holds && !claims) return [`${node} holds the resources but cl_status rscstatus says ${cl.resources}`]
  if (!holds && claims) return [`${node} does not hold the resources but cl_status rscstatus says ${cl.resources}`]
  return []
}

export const heartbeatServiceStep: Step<HeartbeatServiceFacts> = {
  id: 'heartbeat.service',
  title: 'heartbeat running on both nodes; the resources on one',
  nodes: orderedNodes,
  sequential: true,
  facts(ctx) {
    const stack = heartbeatStack(ctx, 'heartbeat.service')
    const {vip, drbd} = ctx.config
    return factSet({
      os: osFact,
      services: servicesFact([UNIT, ...stack.heartbeat.serving.units]),
      drbd: drbdStateFact(drbd.resource, drbd.device),
      vip: stack.floatsVip ? vipFact(vip.interface, vip.address) : {command: 'true', parse: () => null},
      cl: clStatusFact,
      serving: stack.heartbeat.serving.fact(ctx),
    })
  },
  plan(ctx, facts) {
    const {serving} = heartbeatStack(ctx, 'heartbeat.service').heartbeat
    const changes: Change[] = []
    const notes: string[] = []
    const nodes = orderedNodes(ctx)
    const anyRunning = nodes.some((n) => isActive(facts[n.name].services[UNIT]))
    for (const node of nodes) {
      const s = facts[node.name].services[UNIT]
      if (!startsAtBoot(s)) changes.push({kind: 'command', node: node.name, title: `enable ${UNIT} at boot`, script: `systemctl enable ${UNIT}`})
      if (!isActive(s)) {
        const family = familyOf(node, facts[node.name].os, ctx.options.forceDistro)
        // First start of the cluster: the preferred node takes the group (after initdead) before its
        // peer starts; under auto_failback on it also takes it back from a peer that holds it.
        const takeOver = node.name === nodes[0].name && (!anyRunning || heartbeatSection(ctx).autoFailback)
        const holds = holdsCondition(ctx, serving.servingCondition(ctx, family))
        changes.push({
          kind: 'command',
          node: node.name,
          title: takeOver ? `start ${UNIT} and take over DRBD + ${serving.what}` : `start ${UNIT}`,
          script: takeOver
            ? startAndWaitScript(ctx, holds, `holds DRBD + ${serving.what}`)
            : startAndWaitScript(ctx, `${holds} || ! { ${serving.runningCondition(ctx, family)}; }`, 'settled'),
          timeoutMs: (heartbeatSection(ctx).initdead + SETTLE_MARGIN_S + 30) * 1000,
        })
      }
      if (!changes.some((c) => c.node === node.name)) notes.push(`${node.name}: ${UNIT} enabled and running`)
    }
    return {changes, notes}
  },
  verify(ctx, facts) {
    const stack = heartbeatStack(ctx, 'heartbeat.service')
    const {serving} = stack.heartbeat
    const owner = preferredNode(ctx.config).name
    const problems: string[] = []
    const primaries = ctx.nodes.filter((n) => facts[n.name].drbd.state?.role === 'Primary')
    if (primaries.length === 0) problems.push(`no node is DRBD Primary: heartbeat did not start its resources (see ${HEARTBEAT_LOG_PATH})`)
    if (primaries.length > 1) problems.push('both nodes are DRBD Primary')
    const holder = primaries.length === 1 ? primaries[0].name : undefined
    // Under auto_failback on the group belongs on the preferred node whenever it runs heartbeat;
    // under off it stays where it is (the first start waited for the preferred node to take it).
    if (holder && holder !== owner && heartbeatSection(ctx).autoFailback && isActive(facts[owner].services[UNIT])) {
      problems.push(`${holder} holds the resources, but auto_failback is on and ${owner} (preferred) runs heartbeat: they should have moved back`)
    }
    for (const node of ctx.nodes) {
      const f = facts[node.name]
      const holds = node.name === holder
      if (!isActive(f.services[UNIT])) problems.push(`${node.name}: ${UNIT} is ${f.services[UNIT]?.active ?? 'unknown'}`)
      if (f.vip && f.vip.holdsVip !== holds) problems.push(`${node.name} ${f.vip.holdsVip ? 'holds' : 'does not hold'} the VIP ${ctx.config.vip.address} but is ${holds ? '' : 'not '}the DRBD Primary`)
      const own = {family: familyOf(node, f.os, ctx.options.forceDistro), active: (unit: string) => isActive(f.services[unit]), own: f.serving}
      problems.push(...serving.verify(ctx, node, own, holds, holds))
      problems.push(...clStatusProblems(node.name, node.name === owner, holds, f.cl))
    }
    return problems
  },
}
