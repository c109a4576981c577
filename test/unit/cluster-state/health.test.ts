import assert from 'node:assert/strict'
import {test} from 'node:test'
import {parseDrbdPoll} from '../../../src/cluster-state/drbd.js'
import {checkHealth, staleVipHolder} from '../../../src/cluster-state/health.js'
import type {ServingShape} from '../../../src/cluster-state/node-state.js'
import {DRBD9_POLL, drbd, serving, standby, testConfig} from './fixtures.js'

const config = testConfig()
/** DRBD + NFS on a VIP, as the keepalived stack serves it. */
const NFS_ON_VIP: ServingShape = {haUnit: 'keepalived', vip: true, service: 'nfs'}

test('healthy: both UpToDate and Connected, one VIP holder which is the Primary with the filesystem and nfsd', () => {
  const h = checkHealth(config, {node1: serving(), node2: standby()}, NFS_ON_VIP)
  assert.equal(h.ok, true)
  assert.equal(h.active?.name, 'node1')
  assert.deepEqual(h.problems, [])
})

test('a disconnected pair is refused with the fix for each side', () => {
  const h = checkHealth(
    config,
    {node1: serving({drbd: drbd('Primary', 'Unknown', 'WFConnection', 'UpToDate', 'DUnknown')}), node2: standby({drbd: drbd('Secondary', 'Unknown', 'StandAlone', 'UpToDate', 'DUnknown')})},
    NFS_ON_VIP,
  )
  assert.equal(h.ok, false)
  assert.equal(h.active, undefined)
  assert.match(h.problems.find((p) => p.node === 'node2')!.fix, /drbdadm connect r0/)
  assert.match(h.problems.find((p) => p.node === 'node1')!.fix, /peer is not connected/)
})

test('a StandAlone node with a split-brain message is sent to split-brain recover', () => {
  const h = checkHealth(config, {node1: serving(), node2: standby({drbd: drbd('Secondary', 'Unknown', 'StandAlone', 'UpToDate', 'DUnknown'), splitBrainLog: ['Split-Brain detected but unresolved']})}, NFS_ON_VIP)
  assert.match(h.problems[0].fix, /split-brain recover/)
})

test('two VIP holders: the one that is not Primary has the stale copy, and the fix names it', () => {
  const h = checkHealth(config, {node1: serving(), node2: standby({vipHeld: true})}, NFS_ON_VIP)
  assert.equal(h.ok, false)
  const p = h.problems.find((x) => /both nodes hold the VIP/.test(x.problem))!
  assert.equal(p.fix, "remove the stale copy on node2: ip addr del 10.9.0.100/24 dev 'eth0'")
})

test('VIP holder not Primary, not mounted, nfsd down, daemon stopped, node silent: each is named', () => {
  assert.match(checkHealth(config, {node1: serving({drbd: drbd('Secondary', 'Secondary')}), node2: standby({drbd: drbd('Secondary', 'Secondary')})}, NFS_ON_VIP).problems[0].problem, /not DRBD Primary/)
  assert.match(checkHealth(config, {node1: serving({mounted: false}), node2: standby()}, NFS_ON_VIP).problems[0].problem, /\/data is not mounted/)
  assert.match(checkHealth(config, {node1: serving({nfsdThreads: 0}), node2: standby()}, NFS_ON_VIP).problems[0].problem, /nfsd is not running/)
  assert.match(checkHealth(config, {node1: serving(), node2: standby({haActive: false})}, NFS_ON_VIP).problems[0].fix, /systemctl start keepalived on node2/)
  const silent = checkHealth(config, {node1: serving(), node2: undefined}, NFS_ON_VIP)
  assert.equal(silent.ok, false)
  assert.match(silent.problems[0].problem, /does not answer/)
  assert.match(checkHealth(config, {node1: standby(), node2: standby()}, NFS_ON_VIP).problems.at(-1)!.problem, /no node holds the VIP/)
})

test('DRBD 9 nodes (drbdsetup JSON) are judged like 8.4 ones: converged is healthy, a resync or a waiting peer is not', () => {
  const v9 = (text: string) => parseDrbdPoll(text, 0)!
  const secondary9 = {...v9(DRBD9_POLL.upToDate), role: 'Secondary', peerRole: 'Primary'}
  const healthy = checkHealth(config, {node1: serving({drbd: v9(DRBD9_POLL.upToDate)}), node2: standby({drbd: secondary9})}, NFS_ON_VIP)
  assert.deepEqual(healthy.problems, [])
  assert.equal(healthy.active?.name, 'node1')
  const syncing = checkHealth(config, {node1: serving({drbd: v9(DRBD9_POLL.syncSource)}), node2: standby({drbd: secondary9})}, NFS_ON_VIP)
  const p1 = syncing.problems.find((p) => p.node === 'node1')!
  assert.match(p1.problem, /cs:Connected\/SyncSource ro:Primary\/Secondary ds:UpToDate\/Inconsistent/)
  assert.match(p1.fix, /a resync is running/)
  const waiting = checkHealth(config, {node1: serving(), node2: standby({drbd: v9(DRBD9_POLL.connecting)})}, NFS_ON_VIP)
  assert.match(waiting.problems.find((p) => p.node === 'node2')!.fix, /peer is not connected/)
})

test('the shape decides what serving needs: no service, no nfsd asked; no VIP, the Primary serves', () => {
  const fsOnly: ServingShape = {haUnit: 'heartbeat', vip: true}
  assert.equal(checkHealth(config, {node1: serving({nfsdThreads: null}), node2: standby({nfsdThreads: null})}, fsOnly).ok, true)
  const noVip: ServingShape = {haUnit: 'pacemaker', vip: false, service: 'nfs'}
  const h = checkHealth(config, {node1: serving({vipHeld: false}), node2: standby()}, noVip)
  assert.deepEqual(h.problems, [])
  assert.equal(h.active?.name, 'node1')
  const none = checkHealth(config, {node1: standby(), node2: standby()}, noVip)
  assert.deepEqual(none.problems.map((p) => p.problem), ['no node is DRBD Primary for r0'])
  assert.match(checkHealth(config, {node1: serving({nfsdThreads: 0}), node2: standby()}, noVip).problems[0].problem, /nfsd is not running/)
  assert.match(checkHealth(config, {node1: serving(), node2: standby({haActive: false})}, noVip).problems[0].fix, /systemctl start pacemaker on node2/)
})

test('staleVipHolder: the VIP holder that does not serve, only when exactly one serves', () => {
  assert.equal(staleVipHolder(['node1', 'node2'], {node1: serving(), node2: standby({vipHeld: true})}), 'node2')
  assert.equal(staleVipHolder(['node1', 'node2'], {node1: serving(), node2: standby()}), undefined)
  assert.equal(staleVipHolder(['node1', 'node2'], {node1: standby({vipHeld: true}), node2: standby({vipHeld: true})}), undefined)
})
