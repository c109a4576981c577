import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import {describeDrbd, drbdPollFact, isDisconnected, isHealthyPair, isResyncing, parseDrbdPoll} from '../../../src/cluster-state/drbd.js'
import {minorOf} from '../../../src/facts/drbd.js'
import {DRBD9_POLL, PROC_DRBD} from './fixtures.js'

test('8.4: a connected primary from /proc/drbd: roles, disks, connection, out-of-sync counter', () => {
  const d = parseDrbdPoll(PROC_DRBD.primaryConnected, 0)!
  assert.deepEqual(
    {role: d.role, peerRole: d.peerRole, disk: d.disk, peerDisk: d.peerDisk, connection: d.connection, replication: d.replication, oos: d.outOfSyncKiB},
    {role: 'Primary', peerRole: 'Secondary', disk: 'UpToDate', peerDisk: 'UpToDate', connection: 'Connected', replication: 'Established', oos: 0},
  )
  assert.equal(isHealthyPair(d), true)
  assert.equal(describeDrbd(d), 'cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate')
})

test('8.4: the real StandAlone capture (blank protocol column) parses, with its out-of-sync counter', () => {
  const d = parseDrbdPoll(PROC_DRBD.standAloneSplit, 0)!
  assert.equal(d.connection, 'StandAlone')
  assert.equal(d.role, 'Secondary')
  assert.equal(d.peerDisk, 'DUnknown')
  assert.equal(d.outOfSyncKiB, 1802140)
  assert.equal(isHealthyPair(d), false)
  assert.equal(isDisconnected(d), true)
})

test('8.4: a resync is connected but not healthy; the progress lines do not confuse the parser', () => {
  const d = parseDrbdPoll(PROC_DRBD.syncSource, 0)!
  assert.equal(d.connection, 'SyncSource')
  assert.equal(d.peerDisk, 'Inconsistent')
  assert.equal(d.sync?.percent, 31.4)
  assert.equal(isResyncing(d), true)
  assert.equal(isDisconnected(d), false)
  assert.equal(isHealthyPair(d), false)
})

test('8.4: devices by minor; an unconfigured one is down, not disconnected; a module with no device reads null', () => {
  const unconfigured = parseDrbdPoll(PROC_DRBD.twoDevices, 0)!
  assert.equal(describeDrbd(unconfigured), 'cs:Unconfigured')
  assert.equal(isDisconnected(unconfigured), false)
  assert.equal(parseDrbdPoll(PROC_DRBD.twoDevices, 1)!.role, 'Secondary')
  assert.equal(parseDrbdPoll(PROC_DRBD.moduleOnly, 0), null)
  assert.equal(describeDrbd(null), 'DRBD not up (module not loaded, or the resource is down)')
})

test('DRBD 9 (recorded drbdsetup status --json after /proc/drbd\'s version lines): read, not "DRBD down"', () => {
  const sync = parseDrbdPoll(DRBD9_POLL.syncSource, 0)!
  assert.deepEqual(
    {role: sync.role, peerRole: sync.peerRole, disk: sync.disk, peerDisk: sync.peerDisk, connection: sync.connection, replication: sync.replication},
    {role: 'Primary', peerRole: 'Secondary', disk: 'UpToDate', peerDisk: 'Inconsistent', connection: 'Connected', replication: 'SyncSource'},
  )
  assert.equal(sync.sync?.percent, 15.38)
  assert.equal(isResyncing(sync), true)
  assert.equal(isHealthyPair(sync), false)
  assert.equal(describeDrbd(sync), 'cs:Connected/SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent')

  const waiting = parseDrbdPoll(DRBD9_POLL.connecting, 0)!
  assert.equal(waiting.connection, 'Connecting')
  assert.equal(waiting.connecting, true)
  assert.equal(isDisconnected(waiting), true)
  assert.equal(describeDrbd(waiting), 'cs:Connecting ro:Secondary/Unknown ds:Inconsistent/DUnknown')

  assert.equal(isHealthyPair(parseDrbdPoll(DRBD9_POLL.upToDate, 0)), true)
  assert.equal(parseDrbdPoll(DRBD9_POLL.notUp, 0), null)
})

test('the poll: /proc/drbd read by shell builtins on 8.4 (no process started), drbdsetup only when the version is not 8.x', () => {
  const f = drbdPollFact('r0', '/dev/drbd0')
  // Run for real against a copy of an 8.4 /proc/drbd, with an empty PATH: any program would fail.
  const dir = mkdtempSync(join(tmpdir(), 'hapair-poll-'))
  writeFileSync(join(dir, 'drbd'), PROC_DRBD.primaryConnected)
  const run = spawnSync('/bin/bash', ['-c', f.command.replaceAll('/proc/drbd', join(dir, 'drbd'))], {encoding: 'utf8', env: {PATH: dir}})
  assert.equal(run.status, 0, run.stderr)
  assert.equal(run.stdout, PROC_DRBD.primaryConnected.endsWith('\n') ? PROC_DRBD.primaryConnected : `${PROC_DRBD.primaryConnected}\n`)
  assert.equal(spawnSync('/bin/bash', ['-c', f.command.replaceAll('/proc/drbd', join(dir, 'absent'))], {env: {PATH: dir}}).status, 1)
  assert.match(f.command, /case "\$first" in 'version: 8\.'\*\) ;; \*\) .*drbdsetup status 'r0' --json/)
  assert.equal(f.parse('cat: /proc/drbd: No such file or directory', 1), null)
  assert.equal(f.parse(DRBD9_POLL.syncSource, 10), null)
  assert.equal(f.parse(PROC_DRBD.primaryConnected, 0)?.role, 'Primary')
})

test('minor numbers from device paths', () => {
  assert.equal(minorOf('/dev/drbd0'), 0)
  assert.equal(minorOf('/dev/drbd12'), 12)
  assert.throws(() => minorOf('/dev/sdb'), /is not a \/dev\/drbdN device/)
})
