/** A two-drill report (one pass, one fail with hostile characters) for the renderer tests. */
import {expectation} from '../../../src/drills/scenarios/common.js'
import {stackOf} from '../../../src/stacks/registry.js'
import type {DrillReport, DrillResult} from '../../../src/drills/types.js'
import {testConfig} from './fixtures.js'

const exp = expectation(testConfig(), stackOf({stack: 'keepalived', service: 'nfs'}), 'other')

export const passed: DrillResult = {
  scenario: 'stop-ha',
  summary: 'stop the HA daemon on the active node',
  status: 'passed',
  startedAt: '2024-05-25T11:58:51.000Z',
  durationMs: 21_500,
  activeBefore: 'node1',
  endedOn: 'node2',
  expectation: exp,
  timeline: {
    vip: {atMs: 610, changed: true},
    primary: {atMs: 900, changed: true},
    mounted: {atMs: 1200, changed: true},
    nfsd: {atMs: 1900, changed: true},
    serviceAnswering: {atMs: 2000, changed: true},
    clientResumedMs: 2100,
    stallMs: 2200,
    dualPrimaryMs: 0,
    dualVipMs: 0,
  },
  writes: {writer: 'hapair NFSv3 client on this machine (FILE_SYNC writes)', attempted: 200, acknowledged: 190, failed: 10, lost: [], corrupted: [], verified: true, verifiedOn: 'node1', firstErrors: []},
  splitBrain: {state: 'none', nodes: ['node1', 'node2'], explanation: 'no split brain', fix: ''},
  heal: {healthy: true, actions: ['started keepalived on node1'], leftovers: []},
  failures: [],
  notes: [],
}

export const failed: DrillResult = {
  ...passed,
  scenario: 'kill-ha',
  summary: 'SIGKILL the HA daemon on the active node',
  status: 'failed',
  endedOn: null,
  timeline: {...passed.timeline!, vip: {atMs: null, changed: false}, dualVipMs: 30_000, clientResumedMs: null, stallMs: 30_000},
  writes: {...passed.writes!, lost: [57, 58], corrupted: [60]},
  heal: {healthy: false, actions: [], leftovers: [{node: 'node2', problem: 'both nodes hold the VIP <10.9.0.100>', fix: "ip addr del 10.9.0.100/24 dev 'eth0'"}]},
  failures: ['2 acknowledged write(s) lost: record(s) 57-58', 'odd text: <tag> & "quotes" \u0007bell', 'no single node was serving (VIP, DRBD Primary, mounted, nfsd) at the end'],
}

export const report: DrillReport = {
  version: 1,
  cluster: 'drillpair',
  stack: 'keepalived',
  environment: 'lab',
  startedAt: '2024-05-25T11:58:00.123Z',
  finishedAt: '2024-05-25T12:00:00.000Z',
  passed: false,
  drills: [passed, failed],
}
