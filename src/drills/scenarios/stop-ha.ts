/** The seeds' own drill: stop the HA daemon on the active node; a clean stop hands service over. */
import type {Scenario} from '../types.js'
import {expectation, onNode} from './common.js'

export const stopHa: Scenario = {
  id: 'stop-ha',
  summary: 'stop the HA daemon on the active node',
  appliesTo: (stack) => stack.servesNfs,
  async inject(ctx) {
    await onNode(ctx, ctx.active.name, ctx.stack.stopHa, `stop ${ctx.stack.haUnit}`)
  },
  async heal(ctx) {
    await onNode(ctx, ctx.active.name, ctx.stack.startHa, `start ${ctx.stack.haUnit}`)
    return [`started ${ctx.stack.haUnit} on ${ctx.active.name}`]
  },
  expectation: (config, stack) => expectation(config, stack, 'other'),
}
