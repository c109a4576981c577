/**
 * One drill, start to end: health gate, (prepare), client writing (through the VIP, or on the node
 * holding the mount: the service's drillWriter), fault, watch
 * until the cluster settles or time runs out, heal, read every acknowledged record back from the
 * serving node, judge. Whatever goes wrong in between, the writer and pollers are stopped and
 * the cluster is healed before the result is returned.
 */
import type {ClusterConfig, NodeConfig} from '../config/schema.js'
import {shq} from '../facts/fact.js'
import {ClientWriter, nfsUrl, ServiceProber} from './client-writer.js'
import {NodePoller, readStates, waitUntil, type DrillEnv} from './env.js'
import {isHealthyPair} from '../cluster-state/drbd.js'
import {checkHealth, formatProblems} from '../cluster-state/health.js'
import {isPrimary} from '../cluster-state/node-state.js'
import {splitBrainIn} from '../cluster-state/split-brain.js'
import {healCluster} from './heal.js'
import {drillShape, servesAll} from './serving.js'
import {accountWrites, listingScript, parseListing} from './records.js'
import {computeTimeline, describeLatest, isSettled, unansweredProbes} from './timeline.js'
import type {DrillResult, HealOutcome, Scenario, ScenarioContext, WriteSummary} from './types.js'
import type {StackDescriptor} from '../stacks/types.js'
import {judge} from './verdict.js'
import {readTransitions, transitionLogSizes} from './transition-log.js'
import {preferredNode} from '../stacks/preferred-node.js'

/**
 * Acknowledged writes before the fault, to prove the client path works at all. The window is
 * generous because it measures nothing: a drill client's first NFS mount and first writes load
 * modules and programs (an emulated lab client sharing the host's cores needed more than 20 s).
 */
const WARMUP_ACKS = 3
const WARMUP_MS = 60_000
/** The serving node must serve this long, and the client's last writes succeed, before the drill stops watching. */
const STEADY_MS = 2000
const OK_WRITES = 3
const SERVICE_PROBE_MS = 250

export const DRILL_DIR = '.hapair-drill'

export function drillDirectory(exportPath: string, runId: string): string {
  return `${exportPath.replace(/\/+$/, '')}/${DRILL_DIR}/${runId}`
}

/** Where a drill writes: the directory records go under (a path on the nodes), and the writer's name for a directory there. */
export interface DrillTarget {
  base: string
  url(dir: string): string
}

/** The drill's target for this stack, or why the cluster file gives it none. */
export function drillTarget(config: ClusterConfig, stack: StackDescriptor): DrillTarget | {error: string} {
  const mountPoint = config.filesystem?.mountPoint
  if (stack.service.drillWriter === 'on-node') {
    // The on-node writer takes plain paths under the mount point (on-node-records.ts).
    return mountPoint ? {base: mountPoint, url: (dir) => dir} : {error: 'the cluster file has no filesystem section: the drill has nothing to write to'}
  }
  const exportPath = config.nfs?.exports[0]?.path
  if (stack.service.drillWriter !== 'nfs' || !exportPath || !mountPoint) return {error: 'the cluster file has no nfs.exports / filesystem: the drill has nothing to write to'}
  return {base: exportPath, url: (dir) => nfsUrl(config.vip.address, dir)}
}

export async function runDrill(env: DrillEnv, scenario: Scenario, runId: string): Promise<DrillResult> {
  const {config, stack, clock} = env
  const startedMs = clock.now()
  const expectation = scenario.expectation(config, stack)
  const result: DrillResult = {
    scenario: scenario.id,
    summary: scenario.summary,
    status: 'error',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    endedOn: null,
    expectation,
    failures: [],
    notes: [],
  }
  const finish = (): DrillResult => ({...result, durationMs: Math.round(clock.now() - startedMs)})
  const writeTo = drillTarget(config, stack)
  if ('error' in writeTo) {
    result.failures.push(writeTo.error)
    return finish()
  }
  const shape = drillShape(stack)

  // 1. Health gate.
  const gate = checkHealth(config, await readStates(env), shape)
  if (!gate.ok || !gate.active) {
    result.status = 'refused'
    result.failures.push(`the cluster is not healthy, so the drill did not start:\n${formatProblems(gate.problems)}`)
    return finish()
  }

  const preferred = preferredNode(config)
  const memo: Record<string, string> = {}
  const base = {config, stack, faults: env.faults, preferred, host: env.host, memo, log: env.log}
  let active: NodeConfig = gate.active
  const otherOf = (n: NodeConfig) => config.nodes.find((m) => m.name !== n.name)!
  const deadlineFrom = (t: number) => t + expectation.maxStallMs

  // 2. Untimed preparation (failback moves service off the preferred node first).
  const undo = async (c: ScenarioContext): Promise<string[]> => {
    try {
      return await scenario.heal(c)
    } catch (e) {
      return [`undoing the fault failed: ${(e as Error).message}`]
    }
  }
  const prepared = Boolean(scenario.prepare)
  if (scenario.prepare) {
    const target = otherOf(preferred)
    env.log(`${scenario.id}: moving service to ${target.name} first`)
    let moved = false
    try {
      await scenario.prepare(base)
      moved = await waitUntil(env, deadlineFrom(clock.now()), 500, async () => {
        const s = (await readStates(env, false))[target.name]
        return servesAll(s, shape) && isHealthyPair(s?.drbd)
      })
    } catch (e) {
      result.failures.push(`preparation failed: ${(e as Error).message}`)
    }
    if (!moved) {
      if (!result.failures.length) result.failures.push(`preparation: service did not move to ${target.name} within ${expectation.maxStallMs / 1000} s`)
      const actions = await undo({...base, active: target, peer: preferred})
      const healed = await healCluster(env, {deadline: deadlineFrom(clock.now()), settleMs: env.healSettleMs})
      result.heal = {...healed, actions: [...actions, ...healed.actions]}
      return finish()
    }
    active = target
  }
  const ctx: ScenarioContext = {...base, active, peer: otherOf(active)}
  result.activeBefore = active.name

  // 3. The writer's directory (under the export, or the mount point), made on the serving node.
  const dir = drillDirectory(writeTo.base, runId)
  const dirUrl = writeTo.url(dir)
  const writeTimeoutMs = Math.min(10_000, Math.max(3000, 10 * config.drill.writeIntervalMs))
  const writer = new ClientWriter({transport: env.transport, dirUrl, intervalMs: config.drill.writeIntervalMs, timeoutMs: writeTimeoutMs, clock})
  const prober = new ServiceProber(env.transport, dirUrl, SERVICE_PROBE_MS, writeTimeoutMs, clock)
  const poller = new NodePoller(env, config.nodes)
  const healActions: string[] = []
  let faultHealed = false
  let injected = false
  let refused = false
  let t0 = clock.now()
  let end = t0
  let stopped = false
  let endStates: string | undefined
  let logStart: Map<string, number> | undefined
  const stopAll = async () => {
    if (stopped) return
    stopped = true
    await Promise.all([writer.stop(), prober.stop(), poller.stop()])
  }

  try {
    await env.host(active.name).run(`mkdir -p ${shq(dir)}`, {label: 'make drill directory', timeoutMs: 20_000}).then((r) => {
      if (r.code !== 0) throw new Error(`${active.name}: cannot create ${dir}: ${r.stderr.trim()}`)
    })

    // 4. Client writing, nodes polled; the client path must work before any fault.
    poller.start()
    prober.start()
    writer.start()
    const warm = await waitUntil(env, clock.now() + WARMUP_MS, 100, () => writer.acked.size >= WARMUP_ACKS)
    if (!warm) {
      refused = true
      const errors = [...new Set(writer.attempts.filter((a) => !a.ok).map((a) => a.error))].slice(0, 3)
      throw new Error(`the client could not write through ${dirUrl} before any fault (${env.transport.describe}): ${errors.join('; ') || 'no write finished'}`)
    }

    // 5. The fault (the transition logs' sizes first: what the fault's transitions append is theirs).
    if (stack.transitionLog) logStart = await transitionLogSizes(env, stack.transitionLog)
    t0 = clock.now()
    env.log(`${scenario.id}: injecting on ${active.name}`)
    injected = true
    await scenario.inject(ctx)

    // 6. Watch: hold the fault if the scenario says so, then until settled or out of time.
    const deadline = deadlineFrom(t0)
    if (expectation.holdMs) {
      await waitUntil(env, t0 + expectation.holdMs, 250, () => false)
      healActions.push(...(await scenario.heal(ctx)))
      faultHealed = true
    }
    await waitUntil(env, deadline, 250, () =>
      isSettled({
        samples: poller.samples,
        writes: writer.attempts,
        t0,
        now: clock.now(),
        active: active.name,
        endsOn: expectation.endsOn,
        minObserveMs: expectation.minObserveMs,
        steadyMs: STEADY_MS,
        okWrites: OK_WRITES,
        shape,
      }),
    )
    end = clock.now()
    await stopAll()
    // One more answer from every node, with readStates' time limit (well beyond a poll's): "who serves
    // at the end" must not rest on a node's last poll answer when later polls timed out under load.
    const finalSentMs = clock.now()
    for (const [node, state] of Object.entries(await readStates(env, false))) {
      if (state) poller.samples.push({node, sentMs: finalSentMs, receivedMs: clock.now(), state})
    }
    result.notes.push(...unansweredProbes(poller.samples, config.nodes.map((n) => n.name), clock.now()))
    if (stack.transitionLog && logStart) result.transitions = await readTransitions(env, stack.transitionLog, logStart)
    const timeline = computeTimeline({samples: poller.samples, service: prober.samples, writes: writer.attempts, nodes: [config.nodes[0].name, config.nodes[1].name], t0, end, shape}, ctx.peer.name)
    result.timeline = timeline
    result.endedOn = timeline.servedBy
    endStates = describeLatest(poller.samples, config.nodes.map((n) => n.name))
    result.notes.push(...writer.readBackProblems.slice(0, 5).map((p) => `record ${p.seq}: ${p.error}`))
    result.status = 'failed' // until judged
  } catch (e) {
    result.status = refused ? 'refused' : 'error'
    result.failures.push(refused ? (e as Error).message : `drill error: ${(e as Error).message}`)
  } finally {
    await stopAll()
  }

  // 7. Heal (always, once anything was changed), then read back every acknowledged record.
  if ((injected || prepared) && !faultHealed) healActions.push(...(await undo(ctx)))
  if (injected || prepared) {
    const healed: HealOutcome = await healCluster(env, {deadline: deadlineFrom(clock.now()), settleMs: env.healSettleMs})
    result.heal = {...healed, actions: [...healActions, ...healed.actions]}
  }
  if (refused) {
    await env.host(active.name).run(`rm -rf -- ${shq(dir)}`, {label: 'remove drill records', timeoutMs: 60_000}).catch(() => undefined)
    return finish()
  }

  const finalStates = await readStates(env)
  const splitBrain = splitBrainIn(config, finalStates)
  result.splitBrain = splitBrain
  result.writes = await verifyWrites(env, writer, dir, config.nodes.filter((n) => isPrimary(finalStates[n.name]) && finalStates[n.name]!.mounted).map((n) => n.name))

  if (result.status === 'error' || !result.timeline) {
    result.failures.push(...(result.writes.lost.length ? [`${result.writes.lost.length} acknowledged write(s) lost`] : []))
    return finish()
  }
  result.failures = judge({expectation, activeBefore: active.name, endedOn: result.endedOn, endStates, timeline: result.timeline, writes: result.writes, splitBrain, heal: result.heal!})
  result.status = result.failures.length ? 'failed' : 'passed'
  return finish()
}

/** Reads the drill directory on the node that serves now (one call), accounts, and removes the directory. */
async function verifyWrites(env: DrillEnv, writer: ClientWriter, dir: string, servingNodes: string[]): Promise<WriteSummary> {
  const summary: WriteSummary = {
    writer: env.transport.describe,
    attempted: writer.attempts.length,
    acknowledged: writer.acked.size,
    failed: writer.attempts.filter((a) => !a.ok).length,
    lost: [],
    corrupted: [],
    verified: false,
    firstErrors: [...new Set(writer.attempts.filter((a) => !a.ok).map((a) => a.error ?? 'failed'))].slice(0, 3),
  }
  // With two primaries (split brain) neither side alone is the truth: count against each, report the worse.
  for (const node of servingNodes.length === 1 ? servingNodes : servingNodes.slice(0, 2)) {
    try {
      const r = await env.host(node).run(listingScript(dir), {label: 'read back drill records', timeoutMs: 60_000})
      if (r.code !== 0) continue
      const {lost, corrupted} = accountWrites(writer.acked, parseListing(r.stdout))
      if (!summary.verified || lost.length + corrupted.length > summary.lost.length + summary.corrupted.length) {
        Object.assign(summary, {lost, corrupted, verified: true, verifiedOn: node})
      }
    } catch {
      // unreachable: stays unverified, which fails the drill
    }
  }
  if (summary.verified && servingNodes.length === 1 && dir.includes(`/${DRILL_DIR}/`)) {
    await env.host(servingNodes[0]).run(`rm -rf -- ${shq(dir)}`, {label: 'remove drill records', timeoutMs: 60_000}).catch(() => undefined)
  }
  return summary
}
