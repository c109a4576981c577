import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {test} from 'node:test'
import {nodeProbe, parseIpJsonAddresses, servesAll} from '../../../src/drills/node-probe.js'
import {DMESG_SPLIT, IP_JSON, PROC_DRBD, testConfig} from './fixtures.js'
import {probeOutput} from './probe-output.js'

test('ip -j: the VIP is found among the interface addresses (recorded output)', () => {
  assert.deepEqual(parseIpJsonAddresses(IP_JSON.noVip), ['10.9.0.11'])
  assert.deepEqual(parseIpJsonAddresses(IP_JSON.withVip), ['10.9.0.11', '10.9.0.100'])
  assert.deepEqual(parseIpJsonAddresses(IP_JSON.missingDevice), [])
})

test('a serving node, parsed from one probe output', () => {
  const probe = nodeProbe(testConfig(), 'keepalived')
  const s = probe.parse(probeOutput({procDrbd: PROC_DRBD.primaryConnected, vip: true, mounted: true, threads: 8}))
  assert.equal(s.drbd?.role, 'Primary')
  assert.equal(s.vipHeld, true)
  assert.equal(s.mounted, true)
  assert.equal(s.nfsdThreads, 8)
  // The fast poll does not ask systemd; the full probe does.
  assert.equal(s.haActive, null)
  assert.doesNotMatch(probe.script, /systemctl/)
  assert.deepEqual(s.splitBrainLog, [])
  assert.equal(servesAll(s), true)
  assert.equal(nodeProbe(testConfig(), 'keepalived', {full: true}).parse(probeOutput({procDrbd: PROC_DRBD.primaryConnected}, true)).haActive, true)
})

test('no DRBD module, stopped daemon, missing interface: all false, nothing thrown', () => {
  const s = nodeProbe(testConfig(), 'keepalived', {full: true}).parse(probeOutput({procDrbd: null, ha: 'failed'}, true))
  assert.equal(s.drbd, null)
  assert.equal(s.haActive, false)
  assert.equal(servesAll(s), false)
})

test('the full probe also reads split-brain kernel messages', () => {
  const probe = nodeProbe(testConfig(), 'keepalived', {full: true})
  assert.match(probe.script, /Split-Brain detected/)
  const s = probe.parse(probeOutput({procDrbd: PROC_DRBD.standAloneSplit, splitLog: [DMESG_SPLIT]}, true))
  assert.deepEqual(s.splitBrainLog, [DMESG_SPLIT])
})

test('the probe script runs in bash as it is and every fact answers (this machine has no DRBD)', () => {
  const probe = nodeProbe(testConfig({vip: {address: '10.9.0.100', prefix: 24, interface: 'lo'}}), 'hapair-no-such-unit', {full: true})
  const stdout = execFileSync('bash', ['-c', probe.script], {encoding: 'utf8'})
  const s = probe.parse(stdout)
  assert.equal(s.drbd, null)
  assert.equal(s.vipHeld, false)
  assert.equal(s.mounted, false)
  assert.equal(s.haActive, false)
  assert.equal(typeof s.nfsdThreads, 'number')
})
