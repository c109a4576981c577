/**
 * SIGKILL the HA daemon on the active node: no notify script runs, and keepalived leaves its VIP
 * behind. The stack must restart the daemon or the peer must take over; either is fine.
 */
import type {Scenario} from '../types.js'
import {expectation, onNode} from './common.js'

export const killHa: Scenario = {
  id: 'kill-ha',
  summary: 'SIGKILL the HA daemon on the active node',
  // No clean hand-over: the peer notices only after the detection bound; the active node is alive to release.
  floorRule: {detection: 'bound', commands: 'handover'},
  appliesTo: (stack) => stack.service.drillWriter !== undefined,
  async inject(ctx) {
    // pkill exits 1 when nothing matched: then no fault was injected and the drill must say so.
    await onNode(ctx, ctx.active.name, ctx.stack.manager.killHa, `kill -9 ${ctx.stack.manager.haProcess}`)
  },
  async heal(ctx) {
    await onNode(ctx, ctx.active.name, ctx.stack.manager.startHa, `start ${ctx.stack.manager.haUnit}`)
    return [`started ${ctx.stack.manager.haUnit} on ${ctx.active.name}`]
  },
  expectation: (config, stack) => expectation(config, stack, 'either'),
}
