import assert from 'node:assert/strict'
import {test} from 'node:test'
import {expectation} from '../../../src/drills/scenarios/common.js'
import {stackOf} from '../../../src/stacks/registry.js'
import type {Timeline, WriteSummary} from '../../../src/drills/types.js'
import {judge, type VerdictInput} from '../../../src/drills/verdict.js'
import {testConfig} from './fixtures.js'

const timeline: Timeline = {
  vip: {atMs: 3100, changed: true},
  primary: {atMs: 3400, changed: true},
  mounted: {atMs: 3600, changed: true},
  nfsd: {atMs: 4100, changed: true},
  serviceAnswering: {atMs: 4300, changed: true},
  clientResumedMs: 4400,
  stallMs: 4500,
  dualPrimaryMs: 0,
  dualVipMs: 0,
}
const writes: WriteSummary = {writer: 'test writer', attempted: 120, acknowledged: 110, failed: 10, lost: [], corrupted: [], verified: true, verifiedOn: 'node2', firstErrors: []}
const good: VerdictInput = {
  expectation: expectation(testConfig(), stackOf({stack: 'keepalived', service: 'nfs'}), 'other'),
  activeBefore: 'node1',
  endedOn: 'node2',
  timeline,
  writes,
  splitBrain: {state: 'none', nodes: ['node1', 'node2'], explanation: '', fix: ''},
  heal: {healthy: true, actions: [], leftovers: []},
}

test('a clean failover passes', () => {
  assert.deepEqual(judge(good), [])
})

test('one truly lost record and one corrupted record each fail the drill, naming the records', () => {
  const failures = judge({...good, writes: {...writes, lost: [57], corrupted: [58, 59]}})
  assert.equal(failures.length, 2)
  assert.equal(failures[0], '1 acknowledged write(s) lost: record(s) 57')
  assert.equal(failures[1], '2 acknowledged write(s) corrupted: record(s) 58-59')
})

test('unverifiable writes, a client that never resumed, the wrong end node, a stall over the limit', () => {
  assert.match(judge({...good, writes: {...writes, verified: false}})[0], /could not be read back/)
  assert.match(judge({...good, timeline: {...timeline, clientResumedMs: null}})[0], /not writing again/)
  assert.match(judge({...good, endedOn: 'node1'})[0], /stayed on node1/)
  assert.match(judge({...good, expectation: {...good.expectation, endsOn: 'same'}})[0], /moved to node2; expected it to stay on node1/)
  assert.match(judge({...good, timeline: {...timeline, stallMs: 31_000}})[0], /stalled 31\.0 s, more than 30\.0 s/)
  assert.match(judge({...good, endedOn: null})[0], /no single node was serving/)
  assert.match(judge({...good, endedOn: null, endStates: 'node1: no answer; node2: no VIP'})[0], /at the end \(node1: no answer; node2: no VIP\)$/)
})

test('split brain, two primaries and an unhealed cluster fail with their reasons', () => {
  assert.match(judge({...good, splitBrain: {state: 'confirmed', nodes: [], explanation: 'both wrote', fix: 'x'}})[0], /^split brain: both wrote/)
  assert.match(judge({...good, timeline: {...timeline, dualPrimaryMs: 1500}})[0], /both nodes were DRBD Primary at once for 1\.5 s/)
  assert.match(judge({...good, heal: {healthy: false, actions: [], leftovers: [{node: 'node1', problem: 'keepalived is not running', fix: 'systemctl start keepalived'}]}})[0], /not healthy after heal: node1: keepalived is not running/)
})
