/**
 * `hapair switchover`, the pure part: from both nodes' states, who serves, where the service goes
 * and by which of the stack's commands, or why it must not start. A switchover starts only from a
 * healthy cluster (the drills' health gate), with one exception it created itself: the node a
 * preempting keepalived was left stopped on (`held`) may be the target; its HA daemon is started
 * first, and the rest of the gate must pass.
 */
import type {ClusterConfig} from '../config/schema.js'
import {checkHealth, type HealthProblem} from '../cluster-state/health.js'
import {serves, type NodeState, type ServingShape} from '../cluster-state/node-state.js'
import {ExitCode, UsageError} from '../errors.js'
import type {StackDescriptor} from '../stacks/types.js'

export interface SwitchoverPlan {
  from: string
  to: string
  /** How the stack moves the service (one line for the report). */
  method: string
  /** The target's HA daemon is stopped (left so by an earlier switchover): start it first. */
  startTarget: string | null
  release: string
  rejoin: string | null
  held?: string
}

export interface SwitchoverRefusal {
  message: string
  exitCode: number
  problems: HealthProblem[]
}

/** Before any connection: the stack can switch over, and `--to` names a node. Throws a UsageError (exit 2). */
export function checkSwitchoverRequest(config: ClusterConfig, stack: StackDescriptor, to?: string): void {
  const names = config.nodes.map((n) => n.name)
  if (to !== undefined && !names.includes(to)) throw new UsageError(`--to ${to}: no such node in the cluster file`, `use one of: ${names.join(', ')}`)
  const method = stack.manager.switchover(config, names[0], names[1])
  if (!method.supported) throw new UsageError(`switchover is not supported for the ${stack.id} stack: ${method.why}`)
}

export function planSwitchover(
  config: ClusterConfig,
  stack: StackDescriptor,
  shape: ServingShape,
  states: Record<string, NodeState | undefined>,
  to?: string,
): SwitchoverPlan | SwitchoverRefusal {
  const serving = config.nodes.filter((n) => serves(states[n.name], shape))
  if (to !== undefined && serving.length === 1 && serving[0].name === to) {
    return {message: `${to} already serves ${config.name}: nothing to switch over`, exitCode: ExitCode.refused, problems: []}
  }
  const health = checkHealth(config, states, shape)
  const from = serving.length === 1 ? serving[0].name : undefined
  const target = to ?? config.nodes.find((n) => n.name !== from)?.name
  const stoppedDaemon = (p: HealthProblem) => p.node === target && p.problem === `${shape.haUnit} is not running`
  const held = !health.ok && health.problems.every(stoppedDaemon)
  if (!from || !target || (!health.ok && !held)) {
    return {
      message: `${config.name} is not healthy, so the switchover did not start (nothing was done)`,
      exitCode: ExitCode.refused,
      problems: health.problems.length ? health.problems : [{problem: 'no node serves', fix: 'run `hapair status` and bring the service up first'}],
    }
  }
  const method = stack.manager.switchover(config, from, target)
  if (!method.supported) return {message: `switchover is not supported for the ${stack.id} stack: ${method.why}`, exitCode: ExitCode.usage, problems: []}
  return {
    from,
    to: target,
    method: method.describe,
    startTarget: held ? stack.manager.startHa : null,
    release: method.release,
    rejoin: method.rejoin,
    ...(method.held ? {held: method.held} : {}),
  }
}

export const isRefusal = (p: SwitchoverPlan | SwitchoverRefusal): p is SwitchoverRefusal => 'exitCode' in p
