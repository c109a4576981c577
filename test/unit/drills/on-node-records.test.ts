import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import {
  encodeDev,
  listScript,
  NOT_SERVING,
  onNodeRecords,
  readScript,
  relativeToMount,
  writeScript,
  type ServingTarget,
} from '../../../src/drills/on-node-records.js'
import {nodeBudgetMs} from '../../../src/drills/remote-kernel-nfs.js'
import {FakeHost} from '../../../src/transport/fake-host.js'
import {SCRIPT_HEADER} from '../../../src/transport/host.js'

const REC = '/data/.hapair-drill/run1/rec-000001'
const DIR = '/data/.hapair-drill/run1'
const RECORD = '1,2024-01-01T00:00:00.000Z,00,ab\n'
const TARGET: ServingTarget = {resource: 'r0', major: 147, minor: 0, mountPoint: '/data'}
const NOT_PRIMARY = {code: NOT_SERVING, stderr: 'not serving here: DRBD r0 is not Primary\n'}

/** The transport as the failover session makes it, over two fake nodes. */
function pair() {
  const hosts = {node1: new FakeHost('node1'), node2: new FakeHost('node2')}
  const transport = onNodeRecords({nodes: ['node1', 'node2'], host: (n) => hosts[n as 'node1' | 'node2'], resource: 'r0', device: '/dev/drbd0', mountPoint: '/data'})
  const done = () => Object.values(hosts).forEach((h) => h.done())
  return {...hosts, transport, done}
}
const isWrite = (s: string) => s.includes('dd of=') && s.includes('conv=fsync')
const killAfter = (s: string) => [...s.matchAll(/timeout -s KILL ([\d.]+) dd/g)].map((m) => Number(m[1]) * 1000)
const bash = (script: string, env: NodeJS.ProcessEnv = process.env) => spawnSync('bash', ['-c', SCRIPT_HEADER + script], {encoding: 'utf8', env})

test('paths: records live under the mount point, given as plain paths; anything else is refused', () => {
  assert.equal(relativeToMount('/data', REC), '.hapair-drill/run1/rec-000001')
  assert.equal(relativeToMount('/data/', '/data'), '')
  for (const p of ['/database/x', '/etc/passwd', '/data/../etc/passwd', 'nfs://10.0.0.1/data/x?version=3']) assert.equal(relativeToMount('/data', p), undefined, p)
})

test('scripts: every operation checks Primary and the DRBD mount first, then writes O_SYNC + fsync, reads O_DIRECT', () => {
  const w = writeScript(TARGET, 'run1/rec-1', "it's\n", 2000)
  assert.ok(w.startsWith(`cd -- '/data' `), w)
  assert.match(w, /ro:Primary\//)
  assert.match(w, /drbdsetup status 'r0'/)
  assert.match(w, /\[ "\$top" = 147:0 \]/)
  assert.match(w, new RegExp(`stat -c %d \\.\\)" = ${147 << 8} \\]`))
  assert.match(w, /printf '%s' 'it'\\''s\n' \| timeout -s KILL 2\.0 dd of='run1\/rec-1' bs=1M oflag=sync conv=fsync status=none$/)
  assert.match(readScript(TARGET, 'a/b', 2000), /timeout -s KILL 2\.0 dd if='a\/b' bs=1M iflag=direct status=none$/)
  assert.match(listScript(TARGET, '', 2000), /ls -1A -- '\.' >\/dev\/null$/)
  for (const s of [w, readScript(TARGET, 'a', 2000), listScript(TARGET, 'a', 2000)]) assert.equal(s.split(`exit ${NOT_SERVING}`).length - 1, 4, s)
  // the kernel's device number encoding (stat -c %d): minors past 255 move up
  assert.equal(encodeDev(147, 0), 37632)
  assert.equal(encodeDev(147, 300), (300 & 0xff) | (147 << 8) | (256 << 12))
})

test('a write goes to the serving node only, acknowledged when the node exits 0, with the node killing it before hapair stops waiting', async () => {
  const p = pair()
  p.node1.expect(isWrite, {code: 0})
  const r = await p.transport.write(REC, RECORD, 3000)
  assert.deepEqual(r, {ok: true, stdout: ''})
  const call = p.node1.calls[0]
  assert.equal(call.opts.timeoutMs, 3000)
  assert.equal(call.label, 'drill write')
  assert.ok(call.script.includes(`dd of='.hapair-drill/run1/rec-000001'`))
  const [kill] = killAfter(call.script)
  assert.ok(kill <= nodeBudgetMs(3000) && kill > 0, `${kill}`)
  assert.equal(p.node2.calls.length, 0)
  p.done()
})

test('a node that is not serving is skipped and the other used; the next operation asks the one that served first', async () => {
  const p = pair()
  p.node1.expect(isWrite, NOT_PRIMARY)
  p.node2.expect(isWrite, {code: 0})
  assert.equal((await p.transport.write(REC, RECORD, 3000)).ok, true)
  // node2 served: the read back and the next write go straight to it
  p.node2.expect('iflag=direct', {stdout: RECORD})
  p.node2.expect(isWrite, {code: 0})
  assert.deepEqual(await p.transport.read(REC, 3000), {ok: true, stdout: RECORD})
  assert.equal((await p.transport.write(REC.replace('1', '2'), RECORD, 3000)).ok, true)
  assert.equal(p.node1.calls.length, 1)
  // neither serving (mid-takeover): not acknowledged, both nodes' words in the error
  p.node2.expect(isWrite, {code: NOT_SERVING, stderr: 'not serving here: /data is not mounted from the DRBD device\n'})
  p.node1.expect(isWrite, NOT_PRIMARY)
  const none = await p.transport.write(REC, RECORD, 3000)
  assert.equal(none.ok, false)
  assert.match(none.error!, /node2: not serving here: \/data is not mounted from the DRBD device; node1: not serving here: DRBD r0 is not Primary/)
  p.done()
})

test('a failed fsync (or any failure on the serving node) is not acknowledged and the other node is not asked', async () => {
  const p = pair()
  p.node1.expect(isWrite, {code: 1, stderr: 'dd: fsync failed for \'x\': Input/output error\n'})
  const r = await p.transport.write(REC, RECORD, 3000)
  assert.deepEqual(r, {ok: false, error: "node1: dd: fsync failed for 'x': Input/output error"})
  assert.equal(p.node2.calls.length, 0)
  p.done()
})

test('timeouts: a write killed on the node, or a node that does not answer, is not acknowledged; the silent node loses its place', async () => {
  const p = pair()
  p.node1.expect(isWrite, {code: 137})
  p.node2.expect(isWrite, NOT_PRIMARY)
  const killed = await p.transport.write(REC, RECORD, 3000)
  assert.equal(killed.ok, false)
  assert.match(killed.error!, /node1: no answer within 3000 ms/)
  p.done()
  // the powered-off active node: its SSH times out; the peer that took over is asked within the same write
  const p2 = pair()
  p2.node1.expect(isWrite, {throws: new Error('node1: timed out after 3000 ms')})
  p2.node2.expect(isWrite, {code: 0})
  assert.equal((await p2.transport.write(REC, RECORD, 3000)).ok, true)
  // node2 now serves: the dead node1 is not waited on again
  p2.node2.expect('ls -1A', {code: 0})
  assert.equal((await p2.transport.list(DIR, 3000)).ok, true)
  assert.equal(p2.node1.calls.length, 1)
  p2.done()
})

test('a node that took the whole time leaves no time to ask the other: not acknowledged, no late run', async () => {
  const hosts = {node1: new FakeHost('node1'), node2: new FakeHost('node2')}
  const slow = {node: 'node1', address: '', close: async () => {}, run: async () => { await new Promise((r) => setTimeout(r, 400)); throw new Error('timed out after 500 ms') }}
  const transport = onNodeRecords({nodes: ['node1', 'node2'], host: (n) => (n === 'node1' ? slow : hosts.node2), resource: 'r0', device: '/dev/drbd0', mountPoint: '/data'})
  const r = await transport.write(REC, RECORD, 500)
  assert.equal(r.ok, false)
  assert.match(r.error!, /node1: timed out after 500 ms; no time left to ask node2/)
  hosts.node2.done()
})

test('a path outside the mount point, or a closed transport, touches no node', async () => {
  const p = pair()
  assert.match((await p.transport.write('/etc/x', RECORD, 3000)).error!, /not under the mount point \/data/)
  await p.transport.close()
  assert.equal((await p.transport.write(REC, RECORD, 3000)).ok, false)
  assert.equal(p.node1.calls.length + p.node2.calls.length, 0)
})

test('for real in bash: the serving check against canned /proc files; the write lands byte for byte, reads and lists', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hapair-on-node-'))
  try {
    const mnt = join(tmp, 'mnt')
    mkdirSync(join(mnt, 'run1'), {recursive: true})
    // The temp directory's own filesystem stands in for the DRBD device.
    const dev = statSync(mnt).dev
    const major = (dev >> 8) & 0xfff
    const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00)
    const files = {procDrbd: join(tmp, 'drbd'), mountinfo: join(tmp, 'mountinfo')}
    const t: ServingTarget = {resource: 'r0', major, minor, mountPoint: mnt, files}
    const content = "1,it's \"quoted\" $HOME `x`\n"
    const facts = (role: string, mountinfo: string, drbdMinor = minor) => {
      writeFileSync(files.procDrbd, `version: 8.4.11 (api:1/proto:86-101)\n ${drbdMinor}: cs:Connected ro:${role} ds:UpToDate/UpToDate C r-----\n    ns:0 nr:0 dw:0\n`)
      writeFileSync(files.mountinfo, mountinfo)
    }
    const mounted = `24 1 8:1 / / rw - ext4 /dev/sda1 rw\n99 24 ${major}:${minor} / ${mnt} rw,relatime - ext4 /dev/drbd0 rw\n`
    for (const s of [writeScript(t, 'run1/r', content, 2000), readScript(t, 'run1/r', 2000), listScript(t, 'run1', 2000)]) {
      const r = spawnSync('bash', ['-n', '-c', s], {encoding: 'utf8'})
      assert.equal(r.status, 0, `${r.stderr}\n${s}`)
    }

    // Secondary: not serving, nothing written
    facts('Secondary/Primary', mounted)
    let r = bash(writeScript(t, 'run1/r', content, 2000))
    assert.equal(r.status, NOT_SERVING, r.stderr)
    assert.match(r.stderr, /not serving here: DRBD r0 is not Primary/)
    assert.equal(existsSync(join(mnt, 'run1/r')), false)

    // Primary, but the mount point is not the DRBD device (bare directory, or another device on top)
    facts('Primary/Secondary', '24 1 8:1 / / rw - ext4 /dev/sda1 rw\n')
    r = bash(writeScript(t, 'run1/r', content, 2000))
    assert.equal(r.status, NOT_SERVING, r.stderr)
    assert.match(r.stderr, /is not mounted from the DRBD device/)
    facts('Primary/Secondary', `${mounted}100 99 0:99 / ${mnt} rw - tmpfs tmpfs rw\n`)
    assert.equal(bash(writeScript(t, 'run1/r', content, 2000)).status, NOT_SERVING)
    assert.equal(existsSync(join(mnt, 'run1/r')), false)

    // The mount table says DRBD, but the directory entered is another filesystem (a mount that came or went in between)
    facts('Primary/Secondary', `24 1 8:1 / / rw - ext4 /dev/sda1 rw\n99 24 147:0 / ${mnt} rw - ext4 /dev/drbd0 rw\n`, 0)
    r = bash(writeScript({...t, major: 147, minor: 0}, 'run1/r', content, 2000))
    assert.equal(r.status, NOT_SERVING, r.stderr)
    assert.match(r.stderr, /was not the DRBD filesystem when entered/)

    assert.equal(existsSync(join(mnt, 'run1/r')), false)

    // Serving: written byte for byte, read back, listed
    facts('Primary/Secondary', mounted)
    r = bash(writeScript(t, 'run1/r', content, 2000))
    assert.equal(r.status, 0, r.stderr)
    assert.equal(readFileSync(join(mnt, 'run1/r'), 'utf8'), content)
    r = bash(readScript(t, 'run1/r', 2000))
    // O_DIRECT may be refused by this machine's temp filesystem; ext4 and xfs on DRBD support it
    if (!/Invalid argument/.test(r.stderr)) assert.deepEqual({status: r.status, stdout: r.stdout}, {status: 0, stdout: content})
    assert.equal(bash(listScript(t, 'run1', 2000)).status, 0)
    // A failed write (here: a directory missing) fails the script with dd's words, not NOT_SERVING
    r = bash(writeScript(t, 'gone/r', content, 2000))
    assert.notEqual(r.status, 0)
    assert.notEqual(r.status, NOT_SERVING)

    // DRBD 9: /proc/drbd has the version only; the role comes from drbdsetup status
    const bin = join(tmp, 'bin')
    mkdirSync(bin)
    const drbdsetup = (role: string) => writeFileSync(join(bin, 'drbdsetup'), `#!/bin/sh\necho "r0 role:${role}"\necho "  disk:UpToDate"\n`, {mode: 0o755})
    writeFileSync(files.procDrbd, 'version: 9.2.8 (api:2/proto:86-122)\n')
    // the scripts set PATH themselves: put the fake first by editing the header's PATH for this run
    const withFake = (s: string) => spawnSync('bash', ['-c', SCRIPT_HEADER.replace('PATH=', `PATH=${bin}:`) + s], {encoding: 'utf8'})
    drbdsetup('Secondary')
    assert.equal(withFake(listScript(t, 'run1', 2000)).status, NOT_SERVING)
    drbdsetup('Primary')
    assert.equal(withFake(listScript(t, 'run1', 2000)).status, 0)
  } finally {
    rmSync(tmp, {recursive: true, force: true})
  }
})
