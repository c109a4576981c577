/**
 * Return of the preferred node: first (untimed) service is moved off it, then its HA daemon comes
 * back — the measured fault. With preempt / auto_failback the service must move back to it;
 * without, it must stay where it is.
 */
import type {Scenario} from '../types.js'
import {expectation, onNode} from './common.js'

export const failback: Scenario = {
  id: 'failback',
  summary: 'the preferred node comes back; service follows preempt / auto_failback',
  // The returning preferred node preempts at once: the other releases, it acquires.
  floorRule: {detection: 'none', commands: 'handover'},
  appliesTo: (stack) => stack.service.drillWriter !== undefined,
  async prepare(ctx) {
    await onNode(ctx, ctx.preferred.name, ctx.stack.manager.failbackPrepare, `move service off ${ctx.preferred.name}`)
  },
  async inject(ctx) {
    await onNode(ctx, ctx.preferred.name, ctx.stack.manager.failbackInject, `bring ${ctx.preferred.name} back`)
  },
  async heal(ctx) {
    // The inject is the heal; running it again is harmless and covers an inject that failed midway.
    await onNode(ctx, ctx.preferred.name, ctx.stack.manager.failbackInject, `bring ${ctx.preferred.name} back`)
    return []
  },
  expectation(config, stack) {
    const {returns, why} = stack.manager.failsBack(config)
    const base = expectation(config, stack, returns ? 'other' : 'same')
    return {...base, text: `${why}; ${base.text}`}
  },
}
