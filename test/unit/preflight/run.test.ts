import {test} from 'node:test'
import assert from 'node:assert/strict'
import {HapairError} from '../../../src/errors.js'
import {runPreflight} from '../../../src/preflight/run.js'
import {FakeHost} from '../../../src/transport/fake-host.js'
import {recordedConfig, recordedText} from './recorded.js'

const FACTS = '@@hapair-fact identity'
const config = recordedConfig()
/** A recording as the other node would print it: only its hostname differs. */
const asPfnode2 = (file: string) => recordedText(file).replace('hostname=pfnode1', 'hostname=pfnode2')
const hosts = (...hs: FakeHost[]) => new Map(hs.map((h) => [h.node, h]))

test('checks only: one facts call per node, findings for both, nothing changed', async () => {
  const n1 = new FakeHost('pfnode1').expect(FACTS, {stdout: recordedText('debian12-ufw.after-fix.out')})
  const n2 = new FakeHost('pfnode2').expect(FACTS, {stdout: asPfnode2('debian12-ufw.after-fix.out')})
  const result = await runPreflight(config, hosts(n1, n2), {fix: false, dryRun: false})
  assert.equal(result.ok, false)
  assert.equal(result.fixes, null)
  assert.deepEqual(new Set(result.findings.map((f) => f.node)), new Set(['pfnode1', 'pfnode2', 'cluster']))
  assert.equal(n1.calls[0].label, 'preflight facts')
  n1.done()
  n2.done()
})

test('--fix: applies the planned changes node by node, re-reads, and reports the findings after', async () => {
  const n1 = new FakeHost('pfnode1')
    .expect(FACTS, {stdout: recordedText('debian12-firewalld.out')})
    .expect("mv -f \"$tmp\" '/etc/hosts'", {})
    .expect('firewall-cmd --zone=public --add-port=7788/tcp', {})
    .expect(FACTS, {stdout: recordedText('debian12-firewalld.after-fix.out')})
  const n2 = new FakeHost('pfnode2')
    .expect(FACTS, {stdout: asPfnode2('debian12-firewalld.after-fix.out')})
    .expect(FACTS, {stdout: asPfnode2('debian12-firewalld.after-fix.out')})
  const printed: string[] = []
  const result = await runPreflight(config, hosts(n1, n2), {fix: true, dryRun: false, print: (l) => printed.push(l)})
  assert.deepEqual(result.fixes?.applied, ['pfnode1: add the node names to /etc/hosts', 'pfnode1: open in the firewall: 7788/tcp, 2049/tcp, VRRP (IP protocol 112)'])
  assert.deepEqual(result.fixes?.failed, [])
  assert.equal(result.findings.filter((f) => f.fixable).length, 0)
  assert.equal(result.findings.filter((f) => f.check === 'fix').length, 0)
  // The hosts block went over in the file write; the firewall script holds every command.
  assert.match(n1.calls[1].script, /base64 -d/)
  assert.match(n1.calls[2].script, /firewall-cmd --permanent --zone=public --add-protocol=vrrp/)
  assert.deepEqual(printed, ['pfnode1: add the node names to /etc/hosts — done', 'pfnode1: open in the firewall: 7788/tcp, 2049/tcp, VRRP (IP protocol 112) — done'])
  n1.done()
  n2.done()
})

test('--fix --dry-run: shows the changes as diffs and commands, runs nothing but the facts', async () => {
  const n1 = new FakeHost('pfnode1').expect(FACTS, {stdout: recordedText('debian12-firewalld.out')})
  const n2 = new FakeHost('pfnode2').expect(FACTS, {stdout: asPfnode2('debian12-firewalld.after-fix.out')})
  const printed: string[] = []
  const result = await runPreflight(config, hosts(n1, n2), {fix: true, dryRun: true, print: (l) => printed.push(l)})
  assert.equal(result.fixes?.planned.length, 2)
  assert.equal(result.fixes?.dryRun, true)
  assert.deepEqual(result.fixes?.applied, [])
  assert.match(printed[0], /^--fix --dry-run: would make 2 changes \(nothing was touched\):/)
  assert.match(printed[0], /\+192\.0\.2\.12 pfnode2/)
  assert.match(printed[0], /\$ firewall-cmd --zone=public --add-port=7788\/tcp/)
  n1.done()
  n2.done()
})

test('--fix with nothing to repair says so', async () => {
  const n1 = new FakeHost('pfnode1').expect(FACTS, {stdout: recordedText('debian12-firewalld.after-fix.out')})
  const n2 = new FakeHost('pfnode2').expect(FACTS, {stdout: asPfnode2('debian12-firewalld.after-fix.out')})
  const printed: string[] = []
  const result = await runPreflight(config, hosts(n1, n2), {fix: true, dryRun: false, print: (l) => printed.push(l)})
  assert.deepEqual(result.fixes, {planned: [], applied: [], failed: [], dryRun: false})
  assert.deepEqual(printed, ['Nothing for --fix to repair.'])
})

test('a repair that does not take is reported (the re-read node still plans it)', async () => {
  const n1 = new FakeHost('pfnode1')
    .expect(FACTS, {stdout: recordedText('debian12-ufw.out')})
    .expect('ufw allow from 192.0.2.12 to any port 7788', {})
    .expect(FACTS, {stdout: recordedText('debian12-ufw.out')})
  const n2 = new FakeHost('pfnode2').expect(FACTS, {throws: new HapairError('pfnode2: connection lost', 1)}).expect(FACTS, {throws: new HapairError('pfnode2: connection lost', 1)})
  const result = await runPreflight(config, hosts(n1, n2), {fix: true, dryRun: false})
  const fix = result.findings.filter((f) => f.check === 'fix')
  assert.deepEqual(fix, [{node: 'pfnode1', check: 'fix', level: 'warn', message: 'still needed after --fix: open in the firewall: 7788/tcp, 2049/tcp (the repair did not take; see the findings above)'}])
  n1.done()
  n2.done()
})

test('a failing repair stops that node, is a failed finding, and the other node still gets its repairs', async () => {
  const n1 = new FakeHost('pfnode1')
    .expect(FACTS, {stdout: recordedText('debian12-firewalld.out')})
    .expect("mv -f \"$tmp\" '/etc/hosts'", {code: 1, stderr: 'mv: cannot move: Read-only file system'})
    .expect(FACTS, {stdout: recordedText('debian12-firewalld.out')})
  const n2 = new FakeHost('pfnode2')
    .expect(FACTS, {stdout: asPfnode2('debian12-firewalld.out')})
    .expect("mv -f \"$tmp\" '/etc/hosts'", {})
    .expect('firewall-cmd', {})
    .expect(FACTS, {stdout: asPfnode2('debian12-firewalld.after-fix.out')})
  const result = await runPreflight(config, hosts(n1, n2), {fix: true, dryRun: false})
  const failed = result.findings.filter((f) => f.check === 'fix')
  assert.equal(failed.length, 1)
  assert.equal(failed[0].node, 'pfnode1')
  assert.equal(failed[0].level, 'fail')
  assert.match(failed[0].message, /^add the node names to \/etc\/hosts failed: "write \/etc\/hosts" exited 1/)
  assert.match(failed[0].message, /Read-only file system/)
  assert.equal(result.fixes?.applied.length, 2)
  assert.equal(result.ok, false)
  n1.done()
  n2.done()
})

test('a node whose facts cannot be read (sudo wants a password) is an ssh failure with the hint', async () => {
  const sudo = new HapairError('pfnode2: sudo asks for a password, so "preflight facts" cannot run as root', 1, 'hapair runs commands through `sudo -n`.')
  const n1 = new FakeHost('pfnode1').expect(FACTS, {stdout: recordedText('debian12-ufw.after-fix.out')})
  const n2 = new FakeHost('pfnode2').expect(FACTS, {throws: sudo})
  const result = await runPreflight(config, hosts(n1, n2), {fix: false, dryRun: false})
  assert.deepEqual(result.findings.filter((f) => f.node === 'pfnode2'), [
    {node: 'pfnode2', check: 'ssh', level: 'fail', message: 'sudo asks for a password, so "preflight facts" cannot run as root', fix: 'hapair runs commands through `sudo -n`.'},
  ])
})

test('an unreachable node is one failed ssh check with its reason; the other node is checked in full', async () => {
  const n1 = new FakeHost('pfnode1').expect(FACTS, {stdout: recordedText('debian12-ufw.after-fix.out')})
  const unreachable = new Map([['pfnode2', {message: 'connection refused by 192.0.2.12:22', hint: 'Is sshd running?'}]])
  const result = await runPreflight(config, hosts(n1), {fix: false, dryRun: false, unreachable})
  assert.equal(result.ok, false)
  assert.deepEqual(result.findings.filter((f) => f.node === 'pfnode2'), [
    {node: 'pfnode2', check: 'ssh', level: 'fail', message: 'connection refused by 192.0.2.12:22', fix: 'Is sshd running?'},
  ])
  const checked = new Set(result.findings.filter((f) => f.node === 'pfnode1').map((f) => f.check))
  assert.ok(checked.size > 3, `pfnode1 had all its checks, got ${[...checked].join(', ')}`)
  n1.done()
})
