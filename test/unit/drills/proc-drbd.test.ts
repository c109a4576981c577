import assert from 'node:assert/strict'
import {test} from 'node:test'
import {describeDrbd, isHealthyPair, minorOf, parseProcDrbd} from '../../../src/drills/proc-drbd.js'
import {PROC_DRBD} from './fixtures.js'

test('a connected primary: roles, disks, protocol line', () => {
  const d = parseProcDrbd(PROC_DRBD.primaryConnected).get(0)
  assert.deepEqual(d, {minor: 0, cs: 'Connected', role: 'Primary', peerRole: 'Secondary', disk: 'UpToDate', peerDisk: 'UpToDate', outOfSyncKb: 0})
  assert.equal(isHealthyPair(d), true)
})

test('the real StandAlone capture (blank protocol column) parses, with its out-of-sync counter', () => {
  const d = parseProcDrbd(PROC_DRBD.standAloneSplit).get(0)!
  assert.equal(d.cs, 'StandAlone')
  assert.equal(d.role, 'Secondary')
  assert.equal(d.peerRole, 'Unknown')
  assert.equal(d.peerDisk, 'DUnknown')
  assert.equal(d.outOfSyncKb, 1802140)
  assert.equal(isHealthyPair(d), false)
})

test('a resync in progress is not healthy; the progress lines do not confuse the parser', () => {
  const d = parseProcDrbd(PROC_DRBD.syncSource).get(0)!
  assert.equal(d.cs, 'SyncSource')
  assert.equal(d.peerDisk, 'Inconsistent')
  assert.equal(d.outOfSyncKb, 90752)
  assert.equal(isHealthyPair(d), false)
})

test('several devices by minor; an unconfigured one has no roles', () => {
  const devices = parseProcDrbd(PROC_DRBD.twoDevices)
  assert.equal(devices.size, 2)
  assert.equal(devices.get(0)!.cs, 'Unconfigured')
  assert.equal(describeDrbd(devices.get(0)), 'cs:Unconfigured')
  assert.equal(devices.get(1)!.role, 'Secondary')
  assert.equal(parseProcDrbd(PROC_DRBD.moduleOnly).size, 0)
})

test('minor numbers from device paths', () => {
  assert.equal(minorOf('/dev/drbd0'), 0)
  assert.equal(minorOf('/dev/drbd12'), 12)
  assert.throws(() => minorOf('/dev/sdb'), /is not a \/dev\/drbdN device/)
  assert.equal(describeDrbd(null), 'no DRBD (module not loaded)')
})
