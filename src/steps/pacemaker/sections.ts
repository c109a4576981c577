/** What the pacemaker steps need from the cluster file and the stack, with errors naming what is missing. */
import type {PacemakerConfig} from '../../config/schema.js'
import type {StepContext} from '../../engine/step.js'
import {RefusalError} from '../../errors.js'
import {stackOf} from '../../stacks/registry.js'
import type {StackDescriptor} from '../../stacks/types.js'

/** The `pacemaker:` section (required for the stack: validation refuses a file without it). */
export function pacemakerSection(ctx: StepContext, stepId: string): PacemakerConfig {
  const pm = ctx.config.pacemaker
  if (!pm) throw new RefusalError(`${stepId}: the cluster file has no \`pacemaker:\` section`, 'add one with `fencing:` (validation says how)')
  return pm
}

/** The stack, when it is managed by pacemaker. */
export function pacemakerStack(ctx: StepContext, stepId: string): StackDescriptor {
  const stack = stackOf(ctx.config)
  if (stack.manager.section !== 'pacemaker') throw new RefusalError(`${stepId}: the ${stack.title} stack does not run pacemaker`, `its runbook is ${stack.runbook}`)
  return stack
}
