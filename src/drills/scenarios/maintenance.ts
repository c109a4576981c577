/** A planned switchover: the stack's own way of asking the active node to hand over (down-file, standby, hb_standby). */
import type {Scenario} from '../types.js'
import {expectation, onNode} from './common.js'

export const maintenance: Scenario = {
  id: 'maintenance',
  summary: 'planned switchover away from the active node',
  // A planned switchover hands over at once: release here, acquire there.
  floorRule: {detection: 'none', commands: 'handover'},
  appliesTo: (stack) => stack.service.drillWriter !== undefined,
  async inject(ctx) {
    const m = ctx.stack.manager.maintenance(ctx.config)
    const out = await onNode(ctx, ctx.active.name, m.enter, `maintenance: ${m.describe}`)
    ctx.memo.maintenance = /maintenance=(\S+)/.exec(out)?.[1] ?? 'unknown'
    ctx.log(`${ctx.active.name}: maintenance by ${ctx.memo.maintenance}`)
  },
  async heal(ctx) {
    const leave = ctx.stack.manager.maintenance(ctx.config).leave(ctx.memo.maintenance ?? 'unknown')
    if (!leave) return []
    await onNode(ctx, ctx.active.name, leave, 'end maintenance')
    return [`ended maintenance (${ctx.memo.maintenance}) on ${ctx.active.name}`]
  },
  expectation: (config, stack) => ({...expectation(config, stack, 'other'), text: `${stack.manager.maintenance(config).describe}: ${expectation(config, stack, 'other').text}`}),
}
