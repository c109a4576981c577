/** Checks and wording shared by the DRBD steps. */
import type {StepContext} from '../../engine/step.js'
import {RefusalError} from '../../errors.js'
import type {DrbdKernel, DrbdResourceState} from '../../facts/drbd.js'
import type {Fact} from '../../facts/fact.js'
import {isActive, servicesFact, type ServiceStates} from '../../facts/services.js'
import {stackOf} from '../../stacks/registry.js'

/** Problems that stop any DRBD step on a node: no drbd-utils, no loaded module. */
export function kernelProblems(node: string, k: DrbdKernel): string[] {
  if (!k.utils) return [`${node}: drbd-utils is not installed (run the drbd.packages step: \`hapair drbd-init --only drbd.packages\`)`]
  if (!k.loaded) {
    return [
      k.available
        ? `${node}: the drbd kernel module (${k.available}) is installed but not loaded (drbd.packages loads it)`
        : `${node}: no drbd kernel module for this kernel (drbd.packages installs it where the distribution ships it separately)`,
    ]
  }
  return []
}

/** Throws one RefusalError listing every node's problems; returns when there are none. */
export function refuseIf(stepId: string, problems: string[], hint?: string): void {
  if (problems.length === 0) return
  throw new RefusalError(`${stepId} changed nothing:\n  - ${problems.join('\n  - ')}`, hint)
}

/** `r0` on node1 is Secondary/Unknown Inconsistent/DUnknown WFConnection, readable for notes. */
export function stateLine(node: string, s: DrbdResourceState | null, resource: string): string {
  if (!s) return `${node}: ${resource} is down`
  const conn = s.connected ? (s.replication === 'Established' ? 'Connected' : s.replication) : s.connection
  return `${node}: ${s.role}/${s.peerRole} ${s.disk}/${s.peerDisk} ${conn}`
}

/** 1:02:03 / 2m05s / 42s */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const r = s % 60
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`
  return `${r}s`
}

/** "15.3% synced at 100 MiB/s, 8.5 GiB to go, about 1m26s left" from whatever the status offers. */
export function describeSync(s: {percent: number; speedKiBs: number | null; remainingKiB: number | null; etaSeconds: number | null; stalled: boolean}): string {
  const parts = [`${s.percent.toFixed(1)}% synced`]
  if (s.speedKiBs !== null) parts[0] += ` at ${formatRate(s.speedKiBs)}`
  if (s.remainingKiB !== null) parts.push(`${formatKiB(s.remainingKiB)} to go`)
  if (s.etaSeconds !== null) parts.push(`about ${formatDuration(s.etaSeconds)} left`)
  return parts.join(', ') + (s.stalled ? ' (stalled)' : '')
}

function formatKiB(kib: number): string {
  if (kib >= 1024 * 1024) return `${(kib / 1024 / 1024).toFixed(1)} GiB`
  if (kib >= 1024) return `${(kib / 1024).toFixed(1)} MiB`
  return `${kib} KiB`
}

function formatRate(kibs: number): string {
  return kibs >= 1024 ? `${(kibs / 1024).toFixed(1)} MiB/s` : `${kibs} KiB/s`
}

/**
 * Every step after drbd.up needs DRBD running and the resource up on both nodes: refuses with
 * each node's problem otherwise (plus any `extra` problem a step adds), and returns the nodes'
 * state in one line for notes.
 */
export function requireResourceUp(
  stepId: string,
  ctx: StepContext,
  facts: Record<string, {drbd: DrbdKernel & {state: DrbdResourceState | null}}>,
  extra: (node: string, state: DrbdResourceState | null) => string | undefined = () => undefined,
): string {
  const res = ctx.config.drbd.resource
  const problems: string[] = []
  for (const node of ctx.nodes) {
    const {drbd} = facts[node.name]
    problems.push(...kernelProblems(node.name, drbd))
    if (drbd.loaded && !drbd.state) problems.push(`${node.name}: ${res} is down (run drbd.up first)`)
    else {
      const more = extra(node.name, drbd.state)
      if (more) problems.push(more)
    }
  }
  refuseIf(stepId, problems)
  return ctx.nodes.map((n) => stateLine(n.name, facts[n.name].drbd.state, res)).join('; ')
}

/**
 * The HA manager's unit on a node, spread into a step's facts: once it runs, promotions and the
 * mount are its (heartbeat's drbddisk + Filesystem, pacemaker's drbd clone, or the notify scripts
 * hapair gives keepalived).
 */
export function managerUnitFacts(ctx: StepContext): {ha?: Fact<ServiceStates>} {
  const {manager} = stackOf(ctx.config)
  return {ha: servicesFact([manager.haUnit])}
}

/**
 * Whether the steps that make the first Primary and mount the filesystem at setup (drbd.primary,
 * filesystem.mkfs, filesystem.mount) stand down: the HA manager runs on some node, so promotions
 * and the mount are its own (its resource agents, or keepalived's notify scripts). From then on
 * promoting or mounting here would race a takeover in progress (one that has demoted the old
 * side and not yet promoted the new, say: a run SIGKILLed while it started keepalived on one
 * node only left exactly that for the next run to find). Before the manager runs (setup, or
 * every node stopped) there is no one to race, and the step does what the manager would do when
 * it starts. Returns the note, or undefined when the step acts as usual.
 */
export function standDownNote(ctx: StepContext, facts: Record<string, {ha?: ServiceStates}>, what: string): string | undefined {
  const {manager} = stackOf(ctx.config)
  const running = ctx.nodes.filter((n) => isActive(facts[n.name].ha?.[manager.haUnit]))
  if (running.length === 0) return undefined
  const owner = manager.ownsDrbdRole ? manager.title : `${manager.title} (through hapair's notify scripts)`
  return `${owner} runs on ${running.map((n) => n.name).join(' and ')} and owns the DRBD role and the mount: hapair leaves ${what} to it`
}
