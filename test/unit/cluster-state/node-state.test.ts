import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import {describeNodeState, nodeProbe, serves, type ServingShape} from '../../../src/cluster-state/node-state.js'
import {recorded} from '../../helpers/recorded.js'
import {DMESG_SPLIT, DRBD9_POLL, PROC_DRBD, serving, standby, testConfig} from './fixtures.js'
import {probeOutput} from './probe-output.js'

const NFS_ON_VIP: ServingShape = {haUnit: 'keepalived', vip: true, service: 'nfs'}

test('a serving node, parsed from one fast poll output', () => {
  const probe = nodeProbe(testConfig(), NFS_ON_VIP)
  const s = probe.parse(probeOutput({procDrbd: PROC_DRBD.primaryConnected, vip: true, mounted: true, threads: 8}))
  assert.equal(s.drbd?.role, 'Primary')
  assert.equal(s.vipHeld, true)
  assert.equal(s.mounted, true)
  assert.equal(s.nfsdThreads, 8)
  // The fast poll asks neither systemd nor the kernel log; the full read does.
  assert.equal(s.haActive, null)
  assert.doesNotMatch(probe.script, /systemctl|dmesg/)
  assert.deepEqual(s.splitBrainLog, [])
  assert.equal(serves(s, NFS_ON_VIP), true)
  assert.equal(nodeProbe(testConfig(), NFS_ON_VIP, {full: true}).parse(probeOutput({procDrbd: PROC_DRBD.primaryConnected}, true)).haActive, true)
})

test('a DRBD 9 node reads its state from drbdsetup, not "DRBD down"', () => {
  const s = nodeProbe(testConfig(), NFS_ON_VIP).parse(probeOutput({procDrbd: DRBD9_POLL.upToDate, vip: true, mounted: true, threads: 8}))
  assert.equal(s.drbd?.role, 'Primary')
  assert.equal(serves(s, NFS_ON_VIP), true)
  assert.equal(describeNodeState(s), 'VIP, DRBD Primary cs:Connected ds:UpToDate/UpToDate, mounted, nfsd 8 threads')
})

test('no DRBD module, stopped daemon: nothing serves, nothing thrown', () => {
  const s = nodeProbe(testConfig(), NFS_ON_VIP, {full: true}).parse(probeOutput({procDrbd: null, ha: 'failed'}, true))
  assert.equal(s.drbd, null)
  assert.equal(s.haActive, false)
  assert.equal(serves(s, NFS_ON_VIP), false)
  assert.match(describeNodeState(s), /DRBD down/)
})

test('the full read also reads split-brain kernel messages', () => {
  const probe = nodeProbe(testConfig(), NFS_ON_VIP, {full: true})
  assert.match(probe.script, /Split-Brain detected/)
  const s = probe.parse(probeOutput({procDrbd: PROC_DRBD.standAloneSplit, splitLog: [DMESG_SPLIT]}, true))
  assert.deepEqual(s.splitBrainLog, [DMESG_SPLIT])
})

test('the shape decides what is read and what serving needs (no stack names in the model)', () => {
  const fsOnly = nodeProbe(testConfig(), {haUnit: 'heartbeat', vip: true}, {full: true})
  assert.doesNotMatch(fsOnly.script, /nfsd/)
  assert.match(fsOnly.script, /systemctl is-active 'heartbeat'/)
  const s = fsOnly.parse(probeOutput({procDrbd: PROC_DRBD.primaryConnected, vip: true, mounted: true}, true))
  assert.equal(s.nfsdThreads, null)
  assert.equal(serves(s, {vip: true}), true)
  assert.doesNotMatch(describeNodeState(s), /nfsd/)
  const noVip = nodeProbe(testConfig(), {haUnit: 'pacemaker', vip: false, service: 'nfs'})
  assert.doesNotMatch(noVip.script, /ip -j/)
  assert.equal(serves(serving({vipHeld: false}), {vip: false, service: 'nfs'}), true)
  assert.equal(serves(serving({vipHeld: false}), {vip: true, service: 'nfs'}), false)
  assert.equal(serves(serving({nfsdThreads: 0}), {vip: true, service: 'nfs'}), false)
  assert.equal(serves(standby({vipHeld: true}), {vip: true}), false)
})

/** Runs the probe script in bash with /proc/drbd swapped for a file and a drbdsetup that prints `drbdsetup` (or fails the test if called). */
function runProbe(procDrbd: string, drbdsetup: string | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-probe-'))
  try {
    writeFileSync(join(dir, 'proc-drbd'), procDrbd)
    const fake = drbdsetup === null ? 'echo "drbdsetup must not run on 8.4" >&2; exit 99' : `cat <<'JSON'\n${drbdsetup}JSON`
    writeFileSync(join(dir, 'drbdsetup'), `#!/bin/sh\n${fake}\n`)
    chmodSync(join(dir, 'drbdsetup'), 0o755)
    const probe = nodeProbe(testConfig({vip: {address: '10.9.0.100', prefix: 24, interface: 'lo'}}), NFS_ON_VIP)
    const script = probe.script.replaceAll('/proc/drbd', join(dir, 'proc-drbd'))
    return JSON.stringify(probe.parse(execFileSync('bash', ['-c', script], {encoding: 'utf8', env: {...process.env, PATH: `${dir}:${process.env.PATH}`}})).drbd)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

test('in bash, one script: 8.4 reads /proc/drbd only; 9 falls back to drbdsetup in the same call', () => {
  const v84 = JSON.parse(runProbe(PROC_DRBD.primaryConnected, null))
  assert.equal(v84.role, 'Primary')
  assert.equal(v84.connection, 'Connected')
  const v9 = JSON.parse(runProbe(recorded('drbd', 'proc9-version').output, recorded('drbd', 'status9-json-syncsource').output))
  assert.equal(v9.role, 'Primary')
  assert.equal(v9.replication, 'SyncSource')
  assert.equal(v9.peerDisk, 'Inconsistent')
})

test('the probe script runs in bash as it is and every fact answers (this machine has no DRBD)', () => {
  const probe = nodeProbe(testConfig({vip: {address: '10.9.0.100', prefix: 24, interface: 'lo'}}), {haUnit: 'hapair-no-such-unit', vip: true, service: 'nfs'}, {full: true})
  const stdout = execFileSync('bash', ['-c', probe.script], {encoding: 'utf8'})
  const s = probe.parse(stdout)
  assert.equal(s.drbd, null)
  assert.equal(s.vipHeld, false)
  assert.equal(s.mounted, false)
  assert.equal(s.haActive, false)
  assert.equal(typeof s.nfsdThreads, 'number')
})
