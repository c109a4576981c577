/**
 * `hapair switchover`: a planned, clean move of the service to the other node with the stack's
 * own mechanism (its descriptor's `switchover`), timed phase by phase:
 *   start-target  only when the target's HA daemon was left stopped by an earlier switchover
 *   release       the active node hands over (keepalived: graceful stop; heartbeat: hb_standby)
 *   takeover      until the target serves (VIP, DRBD Primary, mount, service), read every poll
 *   rejoin        the released node comes back as standby (unless that would take the service back)
 *   settle        until the cluster is healthy with the target serving, held for a detection bound
 * The service gap runs from the first change (start-target or release: a preempting target may
 * take over as soon as it starts) to the target serving: the longest a client saw no server.
 * A takeover that does not come in time starts the released node's HA daemon again, so the
 * cluster is not left without a manager, and the switchover fails (exit 3).
 */
import {checkHealth, formatProblems, type HealthProblem} from '../cluster-state/health.js'
import {serves, type NodeState, type ServingShape} from '../cluster-state/node-state.js'
import type {ClusterConfig} from '../config/schema.js'
import type {Clock} from '../drills/client-writer.js'
import {readStates, waitUntil} from '../drills/env.js'
import {CommandFailed, ExitCode} from '../errors.js'
import type {StackDescriptor} from '../stacks/types.js'
import type {Host} from '../transport/host.js'
import {mustRun} from '../transport/must-run.js'
import {isRefusal, planSwitchover, type SwitchoverPlan} from './plan.js'

export interface SwitchoverEnv {
  config: ClusterConfig
  stack: StackDescriptor
  shape: ServingShape
  host(node: string): Host
  clock: Clock
  log(line: string): void
  signal?: AbortSignal
  /** Node poll period while waiting; default 500 ms. */
  pollMs?: number
  /** Hears the switchover as it goes, for the state file's runs (record.ts). */
  record?: SwitchoverRecorder
}

export interface SwitchoverRecorder {
  /** The plan passed the gate: nothing has changed yet (a refused switchover never gets here). */
  started(report: SwitchoverReport): void
  /** A phase begins; the one before it has ended (its `ms` is set). */
  phase(phase: SwitchoverPhase): void
}

export interface SwitchoverOptions {
  to?: string
  dryRun: boolean
  /** Longest each wait (takeover, settle) may take. */
  timeoutMs: number
  /** How long health must hold at the end; default the stack's detection bound + 2 s. */
  settleMs?: number
}

export type PhaseName = 'start-target' | 'release' | 'takeover' | 'rejoin' | 'settle'

export interface SwitchoverPhase {
  phase: PhaseName
  node: string
  what: string
  /** The command run on the node (none for the waits). */
  command?: string
  /** null: not run (dry run, or an earlier phase failed). */
  ms: number | null
}

export interface SwitchoverReport {
  cluster: string
  stack: string
  from: string
  to: string
  method: string
  dryRun: boolean
  phases: SwitchoverPhase[]
  /** From the first change (start-target or release) until the target served. */
  serviceGapMs: number | null
  totalMs: number | null
  /** Why the released node was left released, and how the service returns. */
  held?: string
}

const servingText = (shape: ServingShape) => ['DRBD Primary', 'mounted', ...(shape.vip ? ['VIP'] : []), ...(shape.service === 'nfs' ? ['nfsd'] : [])].join(', ')

export function plannedPhases(plan: SwitchoverPlan, shape: ServingShape): SwitchoverPhase[] {
  return [
    ...(plan.startTarget ? [{phase: 'start-target' as const, node: plan.to, what: `start the HA daemon ${plan.to} was left without`, command: plan.startTarget, ms: null}] : []),
    {phase: 'release', node: plan.from, what: 'hand the service over', command: plan.release, ms: null},
    {phase: 'takeover', node: plan.to, what: `wait until it serves (${servingText(shape)})`, ms: null},
    ...(plan.rejoin ? [{phase: 'rejoin' as const, node: plan.from, what: 'rejoin as standby', command: plan.rejoin, ms: null}] : []),
    {phase: 'settle', node: 'both', what: `wait until healthy with ${plan.to} serving`, ms: null},
  ]
}

export async function runSwitchover(env: SwitchoverEnv, opts: SwitchoverOptions): Promise<SwitchoverReport> {
  const {config, stack, shape, clock} = env
  const states = await readStates(env)
  const plan = planSwitchover(config, stack, shape, states, opts.to)
  if (isRefusal(plan)) {
    const detail = plan.problems.length ? `\n${formatProblems(plan.problems)}` : ''
    throw new CommandFailed(`${plan.message}${detail}`, plan.exitCode, undefined, plan.problems.map(toProblem))
  }
  const phases = plannedPhases(plan, shape)
  const report: SwitchoverReport = {
    cluster: config.name, stack: stack.id, from: plan.from, to: plan.to, method: plan.method, dryRun: opts.dryRun, phases, serviceGapMs: null, totalMs: null,
    ...(plan.held ? {held: plan.held} : {}),
  }
  env.record?.started(report)
  if (opts.dryRun) return report

  const started = clock.now()
  let firstChangeAt: number | undefined
  const settleMs = opts.settleMs ?? stack.manager.detectionBoundMs(config) + 2000
  const targetServes = (s: Record<string, NodeState | undefined>) => serves(s[plan.to], shape)
  for (const phase of phases) {
    const t = clock.now()
    env.log(`${phase.node}: ${phase.phase}: ${phase.what}`)
    env.record?.phase(phase)
    if (phase.command) {
      firstChangeAt ??= t
      await mustRun(env.host(phase.node), phase.command, {label: `switchover ${phase.phase}`, timeoutMs: 120_000})
    } else if (phase.phase === 'takeover') {
      const moved = await waitUntil(env, t + opts.timeoutMs, env.pollMs ?? 500, async () => targetServes(await readStates(env, false)))
      if (!moved) throw await takeoverFailed(env, plan, report, opts.timeoutMs)
      report.serviceGapMs = Math.round(clock.now() - (firstChangeAt ?? t))
    } else {
      let okSince: number | undefined
      let problems: HealthProblem[] = []
      const settled = await waitUntil(env, t + opts.timeoutMs + settleMs, env.pollMs ?? 500, async () => {
        problems = settleProblems(config, shape, await readStates(env), plan)
        okSince = problems.length === 0 ? (okSince ?? clock.now()) : undefined
        return okSince !== undefined && clock.now() - okSince >= settleMs
      })
      if (!settled) {
        phase.ms = Math.round(clock.now() - t)
        throw new CommandFailed(`the service moved to ${plan.to}, but the cluster did not settle healthy within ${Math.round((opts.timeoutMs + settleMs) / 1000)} s:\n${formatProblems(problems)}`, ExitCode.verifyFailed, report, problems.map(toProblem))
      }
    }
    phase.ms = Math.round(clock.now() - t)
  }
  report.totalMs = Math.round(clock.now() - started)
  return report
}

/** What still keeps the cluster from its end state: healthy with the target serving (the released node's daemon stopped, when it is held). */
function settleProblems(config: ClusterConfig, shape: ServingShape, states: Record<string, NodeState | undefined>, plan: SwitchoverPlan): HealthProblem[] {
  const health = checkHealth(config, states, shape)
  const problems = health.problems.filter((p) => !(plan.held && p.node === plan.from && p.problem === `${shape.haUnit} is not running`))
  if (!serves(states[plan.to], shape)) problems.push({node: plan.to, problem: 'no longer serves', fix: `check the HA stack's logs (journalctl -u ${shape.haUnit}) on both nodes`})
  return problems
}

async function takeoverFailed(env: SwitchoverEnv, plan: SwitchoverPlan, report: SwitchoverReport, timeoutMs: number): Promise<CommandFailed> {
  // The released node's HA daemon comes back, so the cluster is not left without a manager.
  const undo = plan.rejoin ?? env.stack.manager.startHa
  let undone = `started its HA daemon again on ${plan.from}`
  try {
    await mustRun(env.host(plan.from), undo, {label: 'switchover undo', timeoutMs: 120_000})
  } catch (e) {
    undone = `starting the HA daemon again on ${plan.from} failed too: ${(e as Error).message}`
  }
  // A full read (the takeover polls leave out the HA daemons), after the undo.
  const problems = checkHealth(env.config, await readStates(env), env.shape).problems
  return new CommandFailed(
    `${plan.to} did not take over within ${Math.round(timeoutMs / 1000)} s; ${undone}. Now:\n${formatProblems(problems) || '  (no health problem reported)'}`,
    ExitCode.verifyFailed,
    report,
    problems.map(toProblem),
    `\`hapair status\` shows where the service is now; the HA logs (journalctl -u ${env.shape.haUnit}) say why ${plan.to} did not take it`,
  )
}

const toProblem = (p: HealthProblem) => ({message: `${p.node ? `${p.node}: ` : ''}${p.problem}`, ...(p.node ? {node: p.node} : {}), fix: p.fix})

const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`)

/** The human report: one line a phase, its node, what it did or waited for, and how long it took. */
export function renderSwitchover(r: SwitchoverReport): string {
  const lines = [`switchover ${r.cluster}: ${r.from} -> ${r.to}${r.dryRun ? ' (dry run: nothing was done)' : ''}`, `  by ${r.method}`]
  const width = Math.max(...r.phases.map((p) => p.phase.length))
  for (const p of r.phases) {
    lines.push(`  ${p.phase.padEnd(width)}  ${p.node}: ${p.what}${r.dryRun ? '' : `  ${seconds(p.ms)}`}`)
    if (r.dryRun && p.command) lines.push(...p.command.split('\n').map((l) => `  ${' '.repeat(width)}    $ ${l}`))
  }
  if (!r.dryRun) lines.push(`service gap ${seconds(r.serviceGapMs)} (first change to ${r.to} serving); total ${seconds(r.totalMs)}`)
  if (r.held) lines.push(`note: ${r.held}`)
  return lines.join('\n')
}
