import assert from 'node:assert/strict'
import {test} from 'node:test'
import {RefusalError, UsageError} from '../../../src/errors.js'
import {parseDrbdPoll} from '../../../src/cluster-state/drbd.js'
import {planRecovery, sideFactSet, type SideFacts} from '../../../src/drills/split-brain.js'
import {stackOf} from '../../../src/stacks/registry.js'
import {DMESG_SPLIT, PROC_DRBD, testConfig} from './fixtures.js'

const dev = (text: string) => parseDrbdPoll(text, 0)

const side = (procDrbd: string, extra: Partial<SideFacts> = {}): SideFacts => ({
  drbd: dev(procDrbd),
  kernelLog: [DMESG_SPLIT],
  mounted: false,
  vipHeld: false,
  haActive: true,
  gi: 'B1C9D9F4E0C1D0C0:0000000000000000:8F4A3E2C1D0B0A09:0000000000000004:1:1:1:1:0:0:0',
  recentFiles: [],
  ...extra,
})

const config = testConfig()
const facts = {
  node1: side(PROC_DRBD.standAlonePrimary, {mounted: true, vipHeld: true, recentFiles: ['2024-05-25 11:59 /data/.hapair-drill/x/rec-000120']}),
  node2: side(PROC_DRBD.standAloneSplit),
}

test('recovery keeping the serving node: the other side discards its changes, the survivor reconnects', () => {
  const plan = planRecovery(config, stackOf({stack: 'keepalived', service: 'nfs'}), facts, 'node1')
  assert.equal(plan.survivor, 'node1')
  assert.equal(plan.victim, 'node2')
  assert.deepEqual(
    plan.steps.map((s) => [s.node, s.script]),
    [
      ['node2', 'systemctl stop keepalived'],
      ['node2', "drbdadm disconnect 'r0' 2>/dev/null || true\ndrbdadm connect --discard-my-data 'r0'"],
      ['node1', "drbdadm connect 'r0'"],
    ],
  )
  assert.deepEqual(plan.after.map((s) => s.node), ['node2'])
  assert.match(plan.destroys, /^every change written on node2 since the nodes lost contact: DRBD r0 on node2 \(Secondary, not mounted\) is overwritten from node1$/)
  assert.deepEqual(plan.warnings, [])
})

test('a victim whose manager had stopped (heartbeat ends stopped after restarting itself once the partition heals) gets it started after the resync', () => {
  const stopped = {...facts, node2: side(PROC_DRBD.standAloneSplit, {haActive: false})}
  const plan = planRecovery(config, stackOf({stack: 'heartbeat', service: 'nfs'}), stopped, 'node1')
  assert.ok(!plan.steps.some((s) => /stop heartbeat/.test(s.title)), 'nothing to stop')
  assert.deepEqual(plan.after.map((s) => `${s.node}: ${s.title}`), ['node2: start heartbeat on node2 (it was not running)'])
  assert.equal(plan.after[0].script, stackOf({stack: 'heartbeat', service: 'nfs'}).manager.startHa)
})

test('recovery keeping the other node: the serving side is stopped, unmounted, demoted, then discards', () => {
  const plan = planRecovery(config, stackOf({stack: 'keepalived', service: 'nfs'}), facts, 'node2')
  assert.equal(plan.victim, 'node1')
  assert.deepEqual(plan.steps.map((s) => `${s.node}: ${s.title}`), [
    'node1: stop keepalived on node1 (it must not take the service during the resync)',
    'node1: stop NFS and unmount /data on node1',
    'node1: make node1 DRBD Secondary',
    'node1: reconnect node1, discarding its changes since the split',
    'node2: reconnect node2',
  ])
  assert.match(plan.destroys, /node1 \(Primary, \/data mounted, holding the VIP\).*newest files there: 2024-05-25 11:59 \/data\/\.hapair-drill\/x\/rec-000120/)
  assert.match(plan.warnings[0], /node2 does not serve yet/)
})

test('recovery refuses: unknown node, a silent node, no split brain, a survivor without good data', () => {
  assert.throws(() => planRecovery(config, stackOf({stack: 'keepalived', service: 'nfs'}), facts, 'node3'), (e: UsageError) => e instanceof UsageError && e.hint === 'nodes: node1, node2')
  assert.throws(() => planRecovery(config, stackOf({stack: 'keepalived', service: 'nfs'}), {node1: facts.node1, node2: undefined}, 'node1'), RefusalError)
  assert.throws(
    () => planRecovery(config, stackOf({stack: 'keepalived', service: 'nfs'}), {node1: side(PROC_DRBD.primaryConnected, {kernelLog: []}), node2: side(PROC_DRBD.secondaryConnected, {kernelLog: []})}, 'node1'),
    /no split brain to recover/,
  )
  const bad = side(PROC_DRBD.standAloneSplit.replace('ds:UpToDate/DUnknown', 'ds:Outdated/DUnknown'))
  assert.throws(() => planRecovery(config, stackOf({stack: 'keepalived', service: 'nfs'}), {node1: facts.node1, node2: bad}, 'node2'), /node2's disk is Outdated, not UpToDate/)
})

test('the fact scripts read what detection and the choice need', () => {
  const script = sideFactSet(config, 'keepalived').script
  assert.match(script, /drbdadm get-gi 'r0'/)
  assert.match(script, /timeout 15 find '\/data' -xdev/)
  assert.match(script, /systemctl is-active 'keepalived'/)
})
