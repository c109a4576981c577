/** The active node loses power: in the lab through its power hooks, on real hosts by sysrq only with --allow-crash. */
import type {Scenario} from '../types.js'
import {expectation} from './common.js'

export const crashActive: Scenario = {
  id: 'crash-active',
  summary: 'the active node loses power',
  // The active node is gone: the peer notices after the detection bound and only acquires.
  floorRule: {detection: 'bound', commands: 'acquire'},
  appliesTo: (stack) => stack.service.drillWriter !== undefined,
  needsCrash: true,
  async inject(ctx) {
    await ctx.faults.crash(ctx.active)
  },
  async heal(ctx) {
    const {todo} = await ctx.faults.powerOn(ctx.active)
    return [todo ? `cannot power on ${ctx.active.name} from here: ${todo}` : `powered on ${ctx.active.name}`]
  },
  expectation: (config, stack) => expectation(config, stack, 'other'),
}
