import assert from 'node:assert/strict'
import {test} from 'node:test'
import type {NodeState} from '../../../src/cluster-state/node-state.js'
import {clientStall, computeTimeline, describeLatest, isSettled, servingNode, unansweredProbes, overlapMs, settledAt, type ProbeSample, type WriteAttempt} from '../../../src/drills/timeline.js'
import {drbd, serving, standby} from './fixtures.js'

/** A sample answered instantly at time t (sent = received = t). */
const at = (node: string, t: number, state?: NodeState): ProbeSample => ({node, sentMs: t, receivedMs: t, state, error: state ? undefined : 'timeout'})
const ok = (seq: number, end: number): WriteAttempt => ({seq, startMs: end - 10, endMs: end, ok: true})
const fail = (seq: number, start: number, end: number): WriteAttempt => ({seq, startMs: start, endMs: end, ok: false, error: 'no answer within 3000 ms'})

test('settledAt: the first true sample after the last false one, relative to t0', () => {
  const pts = [false, false, true, false, true, true].map((value, i) => ({t: 1000 + i * 250, value}))
  assert.deepEqual(settledAt(pts, 1000), {atMs: 1000, changed: true})
  assert.deepEqual(settledAt(pts.map((p) => ({...p, value: true})), 1000), {atMs: 0, changed: false})
  assert.deepEqual(settledAt([...pts, {t: 3000, value: false}], 1000), {atMs: null, changed: false})
  assert.deepEqual(settledAt([], 1000), {atMs: null, changed: false})
  // The last answer before the fault is the starting state.
  assert.deepEqual(settledAt([{t: 500, value: false}, {t: 1200, value: true}], 1000), {atMs: 200, changed: true})
  assert.deepEqual(settledAt([{t: 400, value: false}, {t: 500, value: true}, {t: 1200, value: true}], 1000), {atMs: 0, changed: false})
})

test('the probe midpoint is the sample time', () => {
  const s: ProbeSample = {node: 'node2', sentMs: 1000, receivedMs: 1400, state: serving()}
  const m = settledAt([{t: (s.sentMs + s.receivedMs) / 2, value: true}], 1000)
  assert.equal(m.atMs, 0)
  const tl = computeTimeline({samples: [at('node2', 1100, standby()), s], service: [], writes: [], nodes: ['node1', 'node2'], t0: 1000, end: 2000}, 'node2')
  assert.equal(tl.vip.atMs, 200)
})

test('overlapMs: only time both nodes provably held it (between two agreeing answers of each)', () => {
  const p = (role: string) => serving({drbd: drbd(role, 'Unknown', 'WFConnection')})
  const primary = (s: NodeState) => s.drbd?.role === 'Primary'
  const node1 = [0, 500, 1000, 1500].map((t) => at('node1', t, p('Primary')))
  const node2 = [at('node2', 0, p('Secondary')), ...[1000, 1500, 2000, 2500].map((t) => at('node2', t, p('Primary')))]
  // node1 proven Primary over [0, 1500], node2 over [1000, 2500]: both for 500 ms.
  assert.equal(overlapMs([...node1, at('node1', 2000, p('Secondary')), ...node2], ['node1', 'node2'], primary, 0, 3000), 500)
  // Only after t0.
  assert.equal(overlapMs([...node1, ...node2], ['node1', 'node2'], primary, 1200, 3000), 300)
  // A node that stops answering proves nothing after its last answer.
  assert.equal(overlapMs([...node1.slice(0, 3), at('node1', 1500), ...node2], ['node1', 'node2'], primary, 0, 3000), 0)
})

test('overlapMs: a clean switchover polled at slightly different moments is no dual primary', () => {
  const p = (role: string) => serving({drbd: drbd(role, 'Secondary', 'Connected')})
  const primary = (s: NodeState) => s.drbd?.role === 'Primary'
  // node2 answers Primary just before it demotes; node1 answers Primary just after it promotes.
  const samples = [at('node2', 0, p('Primary')), at('node1', 50, p('Secondary')), at('node2', 100, p('Secondary')), at('node1', 90, p('Primary')), at('node1', 150, p('Primary')), at('node2', 200, p('Secondary'))]
  assert.equal(overlapMs(samples, ['node1', 'node2'], primary, 0, 300), 0)
})

test('clientStall: the longest gap around the fault, and when the client resumed', () => {
  const writes = [ok(1, 800), ok(2, 900), ok(3, 1000), fail(4, 1010, 4010), fail(5, 4020, 7020), ok(6, 7400), ok(7, 7500)]
  assert.deepEqual(clientStall(writes, 950, 8000), {stallMs: 6400, resumedMs: 6450})
})

test('clientStall: failing at the end means never resumed, stall counted to the end', () => {
  const writes = [ok(1, 900), ok(2, 1000), fail(3, 1010, 4010), fail(4, 4020, 7020)]
  assert.deepEqual(clientStall(writes, 1005, 9000), {stallMs: 8000, resumedMs: null})
  assert.deepEqual(clientStall([], 1000, 5000), {stallMs: 4000, resumedMs: null})
})

test('clientStall: a fault the client never notices leaves the normal write interval as the stall', () => {
  const writes = [100, 200, 300, 400, 500].map((t, i) => ok(i + 1, t))
  assert.deepEqual(clientStall(writes, 250, 600), {stallMs: 100, resumedMs: 50})
})

test('computeTimeline: a stop-ha failover from node1 to node2', () => {
  const samples: ProbeSample[] = [
    at('node1', 900, serving()),
    at('node2', 900, standby()),
    at('node1', 1250, standby({haActive: false, drbd: drbd('Secondary', 'Secondary')})),
    at('node2', 1250, standby({vipHeld: true, drbd: drbd('Secondary', 'Secondary')})),
    at('node2', 1500, standby({vipHeld: true, drbd: drbd('Primary', 'Secondary')})),
    at('node2', 1750, serving({nfsdThreads: 0})),
    at('node2', 2000, serving()),
    at('node1', 2000, standby({haActive: false})),
  ]
  const service = [{sentMs: 1000, receivedMs: 1100, ok: true}, {sentMs: 1300, receivedMs: 1500, ok: false}, {sentMs: 2100, receivedMs: 2100, ok: true}]
  const writes = [ok(1, 950), ok(2, 1000), fail(3, 1010, 1900), ok(4, 2200), ok(5, 2300)]
  const tl = computeTimeline({samples, service, writes, nodes: ['node1', 'node2'], t0: 1000, end: 2400}, 'node2')
  assert.equal(tl.servedBy, 'node2')
  assert.deepEqual(tl.vip, {atMs: 250, changed: true})
  assert.deepEqual(tl.primary, {atMs: 500, changed: true})
  assert.deepEqual(tl.mounted, {atMs: 750, changed: true})
  assert.deepEqual(tl.nfsd, {atMs: 1000, changed: true})
  assert.deepEqual(tl.serviceAnswering, {atMs: 1100, changed: true})
  assert.equal(tl.stallMs, 1200)
  assert.equal(tl.clientResumedMs, 1200)
  assert.equal(tl.dualPrimaryMs, 0)
  assert.equal(tl.dualVipMs, 0)
})

test('isSettled: waits for the expected node, steady service, no second VIP holder and good writes', () => {
  const writes = [ok(1, 1000), ok(2, 2100), ok(3, 2200), ok(4, 2300)]
  const samples = [at('node1', 1100, standby()), at('node2', 1100, serving()), at('node2', 3200, serving()), at('node1', 3200, standby())]
  const base = {samples, writes, t0: 1000, now: 3300, active: 'node1', endsOn: 'other' as const, minObserveMs: 0, steadyMs: 2000, okWrites: 3}
  assert.equal(isSettled(base), true)
  assert.equal(isSettled({...base, now: 2500}), false, 'not steady for 2 s yet')
  assert.equal(isSettled({...base, endsOn: 'same'}), false, 'serving on the wrong node')
  assert.equal(isSettled({...base, minObserveMs: 10_000}), false, 'must watch longer')
  assert.equal(isSettled({...base, writes: [...writes, fail(5, 2310, 3000)]}), false, 'last write failed')
  assert.equal(isSettled({...base, samples: [...samples, at('node1', 3250, standby({vipHeld: true}))]}), false, 'stale VIP on node1')
})

test('a node that stops answering after it served (power loss) is not taken to serve still: the peer that took over is the one serving', () => {
  // node1 served, then lost power: every probe after its last answer went unanswered.
  const samples = [at('node1', 1000, serving()), at('node2', 1000, standby()), at('node1', 1500), at('node2', 3000, serving()), at('node1', 3300), at('node2', 5200, serving())]
  const writes = [ok(1, 4000), ok(2, 5000), ok(3, 5100)]
  assert.equal(servingNode(samples), 'node2')
  assert.equal(isSettled({samples, writes, t0: 1200, now: 5300, active: 'node1', endsOn: 'other', minObserveMs: 0, steadyMs: 2000, okWrites: 3}), true)
  assert.match(describeLatest(samples, ['node1', 'node2']), /^node1: no answer; node2: VIP/)
  // One answer after the silence (a slow node, or the node back after power-on) counts again.
  assert.equal(servingNode([...samples, at('node1', 5400, serving())]), null, 'both say they serve')
  // An unanswered probe sent before the last answer arrived (it timed out later) changes nothing.
  assert.equal(servingNode([at('node1', 1000, standby()), {node: 'node2', sentMs: 900, receivedMs: 9000, error: 'timeout'}, at('node2', 1100, serving())]), 'node2')
})

test('describeLatest: each node\'s last answer in words, a silent node as "no answer"', () => {
  const samples = [at('node1', 100, standby()), at('node1', 200, serving({nfsdThreads: 0})), at('node2', 150, standby())]
  assert.equal(
    describeLatest(samples, ['node1', 'node2', 'node3']),
    'node1: VIP, DRBD Primary cs:Connected ds:UpToDate/UpToDate, mounted, no nfsd, HA daemon active; ' +
      'node2: no VIP, DRBD Secondary cs:Connected ds:UpToDate/UpToDate, not mounted, no nfsd, HA daemon active; node3: no answer',
  )
})

test('unansweredProbes: per node, how many probes got no answer, why, and how old the last answer is', () => {
  const samples = [at('node1', 1000, serving()), at('node1', 2000), {...at('node1', 3000), error: 'exit 255'}, at('node2', 1500, standby()), at('node3', 1200)]
  assert.deepEqual(unansweredProbes(samples, ['node1', 'node2', 'node3'], 6000), [
    'node1: 2 of 3 probes unanswered (timeout; exit 255); last answer 5.0 s before the end',
    'node3: 1 of 1 probes unanswered (timeout); never answered',
  ])
})
