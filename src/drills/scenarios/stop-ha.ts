/** The seeds' own drill: stop the HA daemon on the active node; a clean stop hands service over. */
import type {Scenario} from '../types.js'
import {expectation, onNode} from './common.js'

export const stopHa: Scenario = {
  id: 'stop-ha',
  summary: 'stop the HA daemon on the active node',
  // A clean stop hands over at once (keepalived's priority-0 advert): release here, acquire there.
  floorRule: {detection: 'none', commands: 'handover'},
  appliesTo: (stack) => stack.service.drillWriter !== undefined,
  async inject(ctx) {
    await onNode(ctx, ctx.active.name, ctx.stack.manager.stopHa, `stop ${ctx.stack.manager.haUnit}`)
  },
  async heal(ctx) {
    await onNode(ctx, ctx.active.name, ctx.stack.manager.startHa, `start ${ctx.stack.manager.haUnit}`)
    return [`started ${ctx.stack.manager.haUnit} on ${ctx.active.name}`]
  },
  expectation: (config, stack) => expectation(config, stack, 'other'),
}
