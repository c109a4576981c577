import {test} from 'node:test'
import assert from 'node:assert/strict'
import {statusProbe} from '../../../src/status/probe.js'
import {renderStatus, statusReport} from '../../../src/status/report.js'
import type {ServingShape} from '../../../src/cluster-state/node-state.js'
import {DRBD9_POLL} from '../cluster-state/fixtures.js'
import {toyContext} from '../engine/toy-step.js'
import {nodeOutput as sharedOutput, primary, secondary} from './node-output.js'

const {config} = toyContext()
const shape: ServingShape = {haUnit: 'keepalived', vip: true, service: 'nfs'}
const probe = statusProbe(config, shape)

const nodeOutput = (o: Parameters<typeof sharedOutput>[1]) => sharedOutput(config, o)

test('a healthy pair: node1 primary, VIP, mounted, serving', () => {
  const r = statusReport(config, {
    node1: probe.parse(nodeOutput({proc: primary, vip: true, mounted: true, threads: 8, ha: true})),
    node2: probe.parse(nodeOutput({proc: secondary, vip: false, mounted: false, threads: 0, ha: true})),
  }, shape)
  assert.deepEqual(r.problems, [])
  assert.equal(r.healthy, true)
  assert.equal(r.condition, 'healthy')
  assert.equal(r.vipHolder, 'node1')
  assert.equal(r.primary, 'node1')
  assert.match(renderStatus(r), /node1\s+Primary\/Secondary\s+Connected/)
})

test('sync progress, VIP away from the primary and an unreachable node are all reported', () => {
  const syncing = ` 0: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----
    ns:9216 nr:0 dw:0 dr:9880 al:0 bm:0 lo:0 pe:2 ua:0 ap:0 ep:1 wo:f oos:252212
\t[>....................] sync'ed:  4.0% (252212/261428)K
\tfinish: 0:00:37 speed: 6,656 (6,656) K/sec`
  const r = statusReport(config, {
    node1: probe.parse(nodeOutput({proc: syncing, vip: false, mounted: true, threads: 8, ha: true})),
    node2: {error: 'connect ECONNREFUSED'},
  }, shape)
  assert.equal(r.nodes[0].drbd?.syncPercent, 4)
  assert.equal(r.nodes[0].drbd?.syncRateKiBs, 6656)
  assert.ok(r.problems.some((p) => /node2: unreachable/.test(p)))
  assert.ok(r.problems.includes('nobody holds the VIP'))
  assert.equal(r.healthy, false)
})

test('a split brain is detected and explained with its fix', () => {
  const standalone1 = ' 0: cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown   r-----'
  const standalone2 = ' 0: cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown   r-----'
  const log = 'block drbd0: Split-Brain detected but unresolved, dropping connection!'
  const r = statusReport(config, {
    node1: probe.parse(nodeOutput({proc: standalone1, vip: true, mounted: true, threads: 8, ha: true, log})),
    node2: probe.parse(nodeOutput({proc: standalone2, vip: true, mounted: true, threads: 8, ha: true})),
  }, shape)
  assert.equal(r.splitBrain.state, 'confirmed')
  assert.ok(r.problems.some((p) => /VIP held by node1 and node2/.test(p)))
  assert.ok(r.problems.some((p) => /DRBD Primary on node1 and node2/.test(p)))
  assert.match(renderStatus(r), /split-brain recover --keep/)
})

test('DRBD 9 nodes (drbdsetup JSON): roles, sync progress and connection read, a resync in progress is not healthy', () => {
  const secondary9 = DRBD9_POLL.syncSource.replace('"role": "Primary"', '"role": "Secondary"').replace('"peer-role": "Secondary"', '"peer-role": "Primary"')
  const r = statusReport(config, {
    node1: probe.parse(nodeOutput({drbd9: DRBD9_POLL.syncSource, vip: true, mounted: true, threads: 8, ha: true})),
    node2: probe.parse(nodeOutput({drbd9: secondary9, vip: false, mounted: false, threads: 0, ha: true})),
  }, shape)
  assert.equal(r.primary, 'node1')
  assert.equal(r.vipHolder, 'node1')
  assert.deepEqual(r.nodes[0].drbd, {role: 'Primary', peerRole: 'Secondary', connection: 'Connected/SyncSource', disk: 'UpToDate', peerDisk: 'Inconsistent', syncPercent: 15.38, syncRateKiBs: 100680, etaSeconds: 89})
  // Connected while syncing is not a connection problem; the peer's disk is reported on its own line.
  assert.ok(!r.problems.some((p) => /node1: DRBD/.test(p)))
  assert.equal(r.splitBrain.state, 'none')
  const up = statusReport(config, {
    node1: probe.parse(nodeOutput({drbd9: DRBD9_POLL.upToDate, vip: true, mounted: true, threads: 8, ha: true})),
    node2: probe.parse(nodeOutput({drbd9: DRBD9_POLL.upToDate.replace('"role": "Primary"', '"role": "Secondary"').replace('"peer-role": "Secondary"', '"peer-role": "Primary"'), vip: false, mounted: false, threads: 0, ha: true})),
  }, shape)
  assert.deepEqual(up.problems, [])
  assert.equal(up.healthy, true)
  assert.match(renderStatus(up), /node1\s+Primary\/Secondary\s+Connected\s+UpToDate\/UpToDate/)
})

test('a stack serving no NFS is not held to nfsd', () => {
  const fsOnly: ServingShape = {haUnit: 'heartbeat', vip: true}
  const p = statusProbe(config, fsOnly)
  const primary84 = ' 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----'
  const secondary84 = ' 0: cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate C r-----'
  const r = statusReport(config, {
    node1: p.parse(nodeOutput({proc: primary84, vip: true, mounted: true, threads: 0, ha: true})),
    node2: p.parse(nodeOutput({proc: secondary84, vip: false, mounted: false, threads: 0, ha: true})),
  }, fsOnly)
  assert.deepEqual(r.problems, [])
  assert.equal(statusReport(config, {node1: p.parse(nodeOutput({proc: primary84, vip: true, mounted: true, threads: 0, ha: true})), node2: p.parse(nodeOutput({proc: secondary84, vip: false, mounted: false, threads: 0, ha: true}))}, shape).healthy, false)
})
