/** What the heartbeat steps need from the cluster file and the stack, with errors naming what is missing. */
import {heartbeatSchema} from '../../config/schema.js'
import type {StepContext} from '../../engine/step.js'
import {RefusalError} from '../../errors.js'
import {stackOf} from '../../stacks/registry.js'
import type {StackDescriptor} from '../../stacks/types.js'
import type {HeartbeatSection} from '../../templates/heartbeat.js'

/** The `heartbeat:` section, or its defaults: the section is optional. */
export function heartbeatSection(ctx: StepContext): HeartbeatSection {
  return ctx.config.heartbeat ?? heartbeatSchema.parse({})
}

/** The stack's heartbeat parts; a stack without them does not run heartbeat. */
export function heartbeatStack(ctx: StepContext, stepId: string): StackDescriptor & {heartbeat: NonNullable<StackDescriptor['heartbeat']>} {
  const stack = stackOf(ctx.config)
  if (!stack.heartbeat) throw new RefusalError(`${stepId}: the ${stack.title} stack does not run heartbeat`, `its runbook is ${stack.runbook}`)
  return stack as StackDescriptor & {heartbeat: NonNullable<StackDescriptor['heartbeat']>}
}
