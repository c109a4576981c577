/**
 * Cut replication and heartbeat between the nodes while clients still reach both, hold it, then
 * heal it. A sound stack never lets both sides write (fencing, or refusing to promote); if it
 * does, DRBD finds a split brain on reconnect, and the drill must detect and report it.
 */
import type {Scenario} from '../types.js'
import {DRBD_PEER_LOSS_MS} from '../../templates/drbd.js'
import {expectation} from './common.js'

/** After DRBD has declared the peer lost, time for a stack that has no fencing to promote and mount. */
export const PROMOTE_MARGIN_MS = 10_000

/**
 * Long enough for every stack to have given up on its peer several times over, and for DRBD
 * itself to have given up on it (its ping comes only every ping-int): a shorter hold ends while
 * the standby is still waiting for its Primary peer to go away, and proves nothing.
 */
export const holdMsFor = (detectionBoundMs: number): number => Math.max(3 * detectionBoundMs, DRBD_PEER_LOSS_MS + detectionBoundMs + PROMOTE_MARGIN_MS)

export const isolate: Scenario = {
  id: 'isolate',
  summary: 'cut the replication/heartbeat link between the nodes, then heal it',
  // A cut link: the peer notices after the detection bound and acquires without any release.
  floorRule: {detection: 'bound', commands: 'acquire'},
  appliesTo: (stack) => stack.service.drillWriter !== undefined,
  async inject(ctx) {
    await ctx.faults.cutPeerLink()
  },
  async heal(ctx) {
    await ctx.faults.healPeerLink()
    return ['removed the drill firewall rules on both nodes']
  },
  expectation(config, stack) {
    const base = expectation(config, stack, 'either')
    return {
      ...base,
      text: `never two primaries with diverging data (a split brain is detected and reported); ${base.text}`,
      holdMs: holdMsFor(base.detectionBoundMs),
    }
  },
}
