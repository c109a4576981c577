import assert from 'node:assert/strict'
import {test} from 'node:test'
import {checkHealth} from '../../../src/drills/health.js'
import {drbd, serving, standby, testConfig} from './fixtures.js'

const config = testConfig()

test('healthy: both UpToDate and Connected, one VIP holder which is the Primary with the filesystem and nfsd', () => {
  const h = checkHealth(config, {node1: serving(), node2: standby()}, 'keepalived')
  assert.equal(h.ok, true)
  assert.equal(h.active?.name, 'node1')
  assert.deepEqual(h.problems, [])
})

test('a disconnected pair is refused with the fix for each side', () => {
  const h = checkHealth(
    config,
    {node1: serving({drbd: drbd('Primary', 'Unknown', 'WFConnection', 'UpToDate', 'DUnknown')}), node2: standby({drbd: drbd('Secondary', 'Unknown', 'StandAlone', 'UpToDate', 'DUnknown')})},
    'keepalived',
  )
  assert.equal(h.ok, false)
  assert.equal(h.active, undefined)
  assert.match(h.problems.find((p) => p.node === 'node2')!.fix, /drbdadm connect r0/)
  assert.match(h.problems.find((p) => p.node === 'node1')!.fix, /peer is not connected/)
})

test('a StandAlone node with a split-brain message is sent to split-brain recover', () => {
  const h = checkHealth(config, {node1: serving(), node2: standby({drbd: drbd('Secondary', 'Unknown', 'StandAlone', 'UpToDate', 'DUnknown'), splitBrainLog: ['Split-Brain detected but unresolved']})}, 'keepalived')
  assert.match(h.problems[0].fix, /split-brain recover/)
})

test('two VIP holders: the one that is not Primary has the stale copy, and the fix names it', () => {
  const h = checkHealth(config, {node1: serving(), node2: standby({vipHeld: true})}, 'keepalived')
  assert.equal(h.ok, false)
  const p = h.problems.find((x) => /both nodes hold the VIP/.test(x.problem))!
  assert.equal(p.fix, "remove the stale copy on node2: ip addr del 10.9.0.100/24 dev 'eth0'")
})

test('VIP holder not Primary, not mounted, nfsd down, daemon stopped, node silent: each is named', () => {
  assert.match(checkHealth(config, {node1: serving({drbd: drbd('Secondary', 'Secondary')}), node2: standby({drbd: drbd('Secondary', 'Secondary')})}, 'keepalived').problems[0].problem, /not DRBD Primary/)
  assert.match(checkHealth(config, {node1: serving({mounted: false}), node2: standby()}, 'keepalived').problems[0].problem, /\/data is not mounted/)
  assert.match(checkHealth(config, {node1: serving({nfsdThreads: 0}), node2: standby()}, 'keepalived').problems[0].problem, /nfsd is not running/)
  assert.match(checkHealth(config, {node1: serving(), node2: standby({haActive: false})}, 'keepalived').problems[0].fix, /systemctl start keepalived on node2/)
  const silent = checkHealth(config, {node1: serving(), node2: undefined}, 'keepalived')
  assert.equal(silent.ok, false)
  assert.match(silent.problems[0].problem, /does not answer/)
  assert.match(checkHealth(config, {node1: standby(), node2: standby()}, 'keepalived').problems.at(-1)!.problem, /no node holds the VIP/)
})
