import assert from 'node:assert/strict'
import {test} from 'node:test'
import {parseDrbdPoll} from '../../../src/cluster-state/drbd.js'
import {detectSplitBrain, splitBrainFactSet, splitBrainIn} from '../../../src/cluster-state/split-brain.js'
import {DMESG_SPLIT, DRBD9_POLL, PROC_DRBD, serving, standby, drbd, testConfig} from './fixtures.js'

const dev = (text: string) => parseDrbdPoll(text, 0)

test('confirmed: StandAlone with the kernel\'s "Split-Brain detected but unresolved" (recorded 8.4.11 output)', () => {
  const f = detectSplitBrain({
    node1: {drbd: dev(PROC_DRBD.standAlonePrimary), kernelLog: []},
    node2: {drbd: dev(PROC_DRBD.standAloneSplit), kernelLog: [DMESG_SPLIT]},
  })
  assert.equal(f.state, 'confirmed')
  assert.match(f.explanation, /the kernel on node2 reported "Split-Brain detected but unresolved"/)
  assert.match(f.explanation, /node1: cs:StandAlone ro:Primary\/Unknown ds:UpToDate\/DUnknown/)
  assert.match(f.fix, /hapair split-brain recover --keep NODE/)
})

test('suspected: both StandAlone without a message, or one StandAlone while the other waits', () => {
  assert.equal(detectSplitBrain({node1: {drbd: dev(PROC_DRBD.standAlonePrimary), kernelLog: []}, node2: {drbd: dev(PROC_DRBD.standAloneSplit), kernelLog: []}}).state, 'suspected')
  const one = detectSplitBrain({node1: {drbd: dev(PROC_DRBD.wfConnectionPrimary), kernelLog: []}, node2: {drbd: dev(PROC_DRBD.standAloneSplit), kernelLog: []}})
  assert.equal(one.state, 'suspected')
  assert.match(one.fix, /drbdadm connect r0/)
})

test('suspected: two disconnected primaries are diverging now', () => {
  const f = detectSplitBrain({node1: {drbd: dev(PROC_DRBD.wfConnectionPrimary), kernelLog: []}, node2: {drbd: dev(PROC_DRBD.wfConnectionPrimary), kernelLog: []}})
  assert.equal(f.state, 'suspected')
  assert.match(f.explanation, /both nodes are Primary while disconnected/)
})

test('none: a connected pair, a lone waiting primary (peer down), an old resolved message', () => {
  assert.equal(detectSplitBrain({node1: {drbd: dev(PROC_DRBD.primaryConnected), kernelLog: [DMESG_SPLIT]}, node2: {drbd: dev(PROC_DRBD.secondaryConnected), kernelLog: []}}).state, 'none')
  assert.equal(detectSplitBrain({node1: {drbd: dev(PROC_DRBD.wfConnectionPrimary), kernelLog: []}, node2: undefined}).state, 'none')
})

test('DRBD 9: a node waiting for its peer (Connecting) and a StandAlone one are a suspected split brain; a resync is none', () => {
  const standAlone9 = {...dev(DRBD9_POLL.connecting)!, connection: 'StandAlone'}
  assert.equal(detectSplitBrain({node1: {drbd: dev(DRBD9_POLL.connecting), kernelLog: []}, node2: {drbd: standAlone9, kernelLog: []}}).state, 'suspected')
  assert.equal(detectSplitBrain({node1: {drbd: dev(DRBD9_POLL.syncSource), kernelLog: []}, node2: {drbd: drbd('Secondary', 'Primary', 'SyncTarget', 'Inconsistent', 'UpToDate'), kernelLog: []}}).state, 'none')
})

test('from node states: the kernel log of a full read confirms it; a silent node is left out', () => {
  const config = testConfig()
  const split = {drbd: drbd('Primary', 'Unknown', 'StandAlone', 'UpToDate', 'DUnknown'), splitBrainLog: [DMESG_SPLIT]}
  const f = splitBrainIn(config, {node1: serving(split), node2: standby(split)})
  assert.equal(f.state, 'confirmed')
  assert.deepEqual(f.nodes, ['node1', 'node2'])
  assert.deepEqual(splitBrainIn(config, {node1: serving(), node2: undefined}).nodes, ['node1'])
})

test('the split-brain read: the DRBD poll (8.4 /proc/drbd, falling back to drbdsetup on 9) and the kernel log', () => {
  const script = splitBrainFactSet(testConfig()).script
  assert.match(script, /done <\/proc\/drbd/)
  assert.match(script, /drbdsetup status 'r0' --json/)
  assert.match(script, /Split-Brain detected/)
})
