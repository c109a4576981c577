/**
 * After every drill, bring the cluster back: reach both nodes (a crashed one may be rebooting),
 * reconnect DRBD, restart stopped HA daemons, then wait for the health gate to pass. Never
 * resolves a split brain by itself (that discards data: a person chooses, through
 * `hapair split-brain recover`). What it cannot fix is returned with the exact fix.
 */
import {shq} from '../facts/fact.js'
import {isHealthyPair, isStandAlone} from '../cluster-state/drbd.js'
import {checkHealth, staleVipHolder} from '../cluster-state/health.js'
import {splitBrainIn} from '../cluster-state/split-brain.js'
import {readStates, waitUntil, type DrillEnv} from './env.js'
import {drillShape} from './serving.js'
import type {HealOutcome} from './types.js'

export interface HealOptions {
  /** Clock time (env.clock) by which the cluster must be healthy. */
  deadline: number
  /** How long health must hold before heal is done; default the stack's detection bound + 2 s. */
  settleMs?: number
}

export async function healCluster(env: DrillEnv, opts: HealOptions): Promise<HealOutcome> {
  const {config, stack} = env
  const actions: string[] = []
  const res = shq(config.drbd.resource)
  const run = async (node: string, script: string, title: string) => {
    try {
      const r = await env.host(node).run(script, {label: title, timeoutMs: 60_000})
      actions.push(r.code === 0 ? `${node}: ${title}` : `${node}: ${title} FAILED (exit ${r.code}: ${r.stderr.trim().split('\n').at(-1) ?? ''})`)
    } catch (e) {
      actions.push(`${node}: ${title} FAILED (${(e as Error).message})`)
    }
  }

  // 1. Reach every node; one that was crashed may still be booting.
  let states = await readStates(env)
  for (const node of config.nodes) {
    if (states[node.name]) continue
    const back = await waitUntil(env, opts.deadline, 2000, async () => (await env.reconnect(node.name)) !== null)
    if (back) actions.push(`${node.name}: reconnected`)
  }
  states = await readStates(env)

  // 2. DRBD: bring up and reconnect, unless this is a split brain (a person decides that).
  const splitBrain = splitBrainIn(config, states)
  if (splitBrain.state === 'none') {
    for (const node of config.nodes) {
      const d = states[node.name]?.drbd
      if (states[node.name] && (!d || d.connection === 'Unconfigured' || isStandAlone(d))) await run(node.name, `drbdadm adjust ${res}`, `drbdadm adjust ${config.drbd.resource}`)
    }
    // A returning node must not take the service back before its disk is UpToDate again.
    await waitUntil(env, opts.deadline, 1000, async () => {
      states = await readStates(env, false)
      return config.nodes.every((n) => isHealthyPair(states[n.name]?.drbd))
    })
  }

  // 3. Restart HA daemons a drill (or a crash) stopped (a full read: fast polls do not ask systemd).
  states = await readStates(env)
  for (const node of config.nodes) {
    if (states[node.name]?.haActive === false) await run(node.name, stack.manager.startHa, `start ${stack.manager.haUnit}`)
  }

  // 4. Wait for the health gate to pass and stay passing for a detection bound (a restarted daemon
  //    with preempt takes the service back a moment after it starts); drop a VIP left behind on a
  //    node that does not serve (SIGKILLed keepalived).
  const settleMs = opts.settleMs ?? stack.manager.detectionBoundMs(config) + 2000
  let droppedStale = false
  let okSince: number | undefined
  let health = checkHealth(config, (states = await readStates(env)), drillShape(stack))
  let splitBrainNow = splitBrain
  await waitUntil(env, opts.deadline, 500, async () => {
    states = await readStates(env)
    health = checkHealth(config, states, drillShape(stack))
    // DRBD finds a split brain only when the link is back (it retries every connect-int): once
    // it has, no waiting heals it, and the person who must choose should hear of it now.
    splitBrainNow = splitBrainIn(config, states)
    if (splitBrainNow.state === 'confirmed') return true
    if (!health.ok && !droppedStale) {
      const stale = staleVipHolder(config.nodes.map((n) => n.name), states)
      if (stale) {
        droppedStale = true
        await run(stale, `ip addr del ${config.vip.address}/${config.vip.prefix} dev ${shq(config.vip.interface)}`, `remove the stale VIP ${config.vip.address}`)
      }
    }
    okSince = health.ok ? (okSince ?? env.clock.now()) : undefined
    return okSince !== undefined && env.clock.now() - okSince >= settleMs
  })
  // The health problems already name the split brain (StandAlone) and its fix.
  return {healthy: health.ok && splitBrainNow.state !== 'confirmed', actions, leftovers: health.problems}
}
