/**
 * `failover-test --floor`: the bare release and acquire of the stack (its descriptor's
 * `bareHandover`, the HA scripts' own steps) timed on the same nodes in the same run as the drills,
 * so each drill's stall can be set beside what the commands themselves cost (issue 13).
 *
 * It runs only from a healthy cluster, with the HA manager stopped on both nodes (so nothing
 * fights the moves), in floorPlan's order. Data stays safe as in a takeover: a release demotes
 * only once nothing of the device is mounted (the script), and an acquire runs only while both
 * nodes are Secondary over a connected, UpToDate pair (acquireRefusal here, and the script checks
 * again on the node). Whatever happens, the HA manager is restored afterwards and the cluster must
 * be healthy again (healCluster: the same heal the drills use).
 */
import {osFact} from '../facts/os.js'
import {familyOf} from '../distro/family.js'
import {checkHealth, formatProblems} from '../cluster-state/health.js'
import {mustRun} from '../transport/must-run.js'
import {BARE_REFUSED, parseBareMs} from '../templates/scripts/bare-handover.js'
import {readStates, waitUntil, type DrillEnv} from './env.js'
import {acquireRefusal, floorMedians, floorPlan, nothingServed} from './floor-plan.js'
import {healCluster} from './heal.js'
import {drillShape} from './serving.js'
import {leftoversText} from './report/format.js'
import type {FloorMeasurement} from './types.js'

/** After both managers stopped: how long the stack's own release on stop may take. */
const RELEASED_WAIT_MS = 120_000
/** Before an acquire: how long the pair may take to show both nodes Secondary again. */
const SAFE_WAIT_MS = 30_000
/** A bare command's limit (its own commands have theirs: the HA scripts' `run` limits). */
const BARE_TIMEOUT_MS = 300_000

export interface FloorOptions {
  rounds?: number
}

export async function measureFloor(env: DrillEnv, opts: FloorOptions = {}): Promise<FloorMeasurement> {
  const {config, stack, clock} = env
  const result: FloorMeasurement = {status: 'refused', handovers: [], releaseMs: null, acquireMs: null, actions: [], failures: []}
  const bare = stack.bareHandover
  if (!bare) {
    result.failures.push(`the ${stack.title} stack has no bare handover commands to time (its descriptor has no bareHandover)`)
    return result
  }

  // 1. Only from a healthy cluster; the scripts for each node's distro family.
  const gate = checkHealth(config, await readStates(env), drillShape(stack))
  if (!gate.ok || !gate.active) {
    result.failures.push(`the cluster is not healthy, so the floor was not measured:\n${formatProblems(gate.problems)}`)
    return result
  }
  const active = gate.active.name
  const peer = config.nodes.find((n) => n.name !== active)!.name
  const scripts = new Map<string, {release: string; acquire: string}>()
  try {
    for (const node of config.nodes) {
      const os = osFact.parse((await mustRun(env.host(node.name), osFact.command, {label: 'os release', timeoutMs: 30_000})).stdout, 0)
      const family = familyOf(node, os)
      scripts.set(node.name, {release: bare.release(config, family), acquire: bare.acquire(config, family)})
    }
  } catch (e) {
    result.failures.push(`the floor was not measured: ${(e as Error).message}`)
    return result
  }

  // 2. The plan, step by step; the first failure stops it.
  const haUnit = stack.manager.haUnit
  const logHint = stack.transitionLog ? ` (its log: ${stack.transitionLog})` : ''
  const runBare = async (node: string, which: 'release' | 'acquire'): Promise<number> => {
    const r = await env.host(node).run(scripts.get(node)![which], {label: `bare ${which}`, timeoutMs: BARE_TIMEOUT_MS})
    const why = r.stderr.trim().split('\n').at(-1) ?? ''
    if (r.code === BARE_REFUSED) throw new Error(`${node}: the bare ${which} refused and changed nothing: ${why}`)
    const ms = parseBareMs(r.stdout)
    if (r.code !== 0 || ms === undefined) throw new Error(`${node}: the bare ${which} failed (exit ${r.code})${why ? `: ${why}` : ''}${logHint}`)
    return ms
  }
  let changed = false
  let released: {node: string; ms: number} | undefined
  result.status = 'failed'
  try {
    for (const step of floorPlan(active, peer, opts.rounds)) {
      if (env.signal?.aborted) throw new Error('interrupted')
      changed = true
      if (step.kind === 'stop-ha') {
        await mustRun(env.host(step.node), stack.manager.stopHa, {label: `stop ${haUnit}`, timeoutMs: 120_000})
        result.actions.push(`${step.node}: stopped ${haUnit}`)
      } else if (step.kind === 'wait-released') {
        const quiet = await waitUntil(env, clock.now() + RELEASED_WAIT_MS, 500, async () => nothingServed(config, await readStates(env, false)))
        if (!quiet) throw new Error(`some of the service was still up ${RELEASED_WAIT_MS / 1000} s after ${haUnit} stopped on both nodes${logHint}`)
        result.actions.push(`${active}: released by ${haUnit}'s own stop`)
      } else if (step.kind === 'release') {
        const ms = await runBare(step.node, 'release')
        if (step.timed) released = {node: step.node, ms}
        else result.actions.push(`${step.node}: bare release, untimed`)
      } else {
        let why: string | undefined
        const safe = await waitUntil(env, clock.now() + SAFE_WAIT_MS, 250, async () => (why = acquireRefusal(config, await readStates(env, false), step.node)) === undefined)
        if (!safe) throw new Error(`not acquiring on ${step.node}: ${why}`)
        const ms = await runBare(step.node, 'acquire')
        if (step.timed && released) result.handovers.push({from: released.node, to: step.node, releaseMs: released.ms, acquireMs: ms})
        else result.actions.push(`${step.node}: bare acquire, untimed`)
        released = undefined
      }
    }
    result.status = 'measured'
  } catch (e) {
    result.failures.push((e as Error).message)
  }
  Object.assign(result, floorMedians(result.handovers))

  // 3. The HA manager back on both nodes, and the cluster healthy again.
  if (changed) {
    const restore = await healCluster(env, {deadline: clock.now() + Math.max(RELEASED_WAIT_MS, 2 * config.drill.timeoutSeconds * 1000)})
    result.restore = restore
    if (!restore.healthy) {
      result.status = 'failed'
      result.failures.push(`not healthy after ${haUnit} was restored: ${leftoversText(restore.leftovers)}`)
    }
  }
  return result
}
