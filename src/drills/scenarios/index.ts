/**
 * Every drill scenario, in the order `failover-test` runs them by default: isolate last, because a
 * stack without fencing may leave a split brain behind that needs a person's decision.
 */
import {UsageError} from '../../errors.js'
import type {StackDescriptor} from '../../stacks/types.js'
import type {Scenario} from '../types.js'
import {crashActive} from './crash-active.js'
import {failback} from './failback.js'
import {isolate} from './isolate.js'
import {killHa} from './kill-ha.js'
import {killService} from './kill-service.js'
import {maintenance} from './maintenance.js'
import {stopHa} from './stop-ha.js'

export const SCENARIOS: readonly Scenario[] = [stopHa, killHa, killService, maintenance, failback, crashActive, isolate]

export interface Selection {
  selected: Scenario[]
  /** Scenarios left out of a default run, and why. */
  skipped: Array<{id: string; why: string}>
}

/**
 * Names given: exactly those, in that order (unknown or inapplicable is a usage error naming the valid ones).
 * No names: every scenario that applies to the stack, leaving out power loss where it is refused.
 */
export function selectScenarios(names: string[], stack: StackDescriptor, crashRefusal: string | undefined): Selection {
  const applicable = SCENARIOS.filter((s) => s.appliesTo(stack))
  const valid = `valid for stack ${stack.id}: ${applicable.map((s) => s.id).join(', ') || '(none: drills write to a DRBD filesystem)'}`
  if (names.length === 0) {
    if (applicable.length === 0) throw new UsageError(`no drill scenario applies to stack ${stack.id}`, valid)
    const skipped = crashRefusal ? applicable.filter((s) => s.needsCrash).map((s) => ({id: s.id, why: crashRefusal})) : []
    return {selected: applicable.filter((s) => !(crashRefusal && s.needsCrash)), skipped}
  }
  const selected: Scenario[] = []
  for (const name of new Set(names)) {
    const scenario = SCENARIOS.find((s) => s.id === name)
    if (!scenario) throw new UsageError(`unknown scenario "${name}"`, valid)
    if (!scenario.appliesTo(stack)) throw new UsageError(`scenario "${name}" does not apply to stack ${stack.id}`, valid)
    if (scenario.needsCrash && crashRefusal) throw new UsageError(`scenario "${name}": ${crashRefusal}`, 'add --allow-crash to crash the active node for real (it reboots or needs powering on)')
    selected.push(scenario)
  }
  return {selected, skipped: []}
}
