import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import {
  listScript,
  MOUNT_GONE,
  MOUNT_MS,
  mountOptions,
  mountScript,
  newMountDir,
  nodeBudgetMs,
  pathInMount,
  readScript,
  remoteKernelNfs,
  unmountScript,
  writeScript,
} from '../../../src/drills/remote-kernel-nfs.js'
import {FakeHost} from '../../../src/transport/fake-host.js'
import {SCRIPT_HEADER, type Host} from '../../../src/transport/host.js'

const DIR_URL = 'nfs://192.168.77.100/data/.hapair-drill/run1?version=3'
const REC_URL = 'nfs://192.168.77.100/data/.hapair-drill/run1/rec-000001?version=3'
const MNT = '/run/hapair-drill.abc123'
const MNT2 = '/run/hapair-drill.def456'
const RECORD = '1,2024-01-01T00:00:00.000Z,00,ab\n'

const MNT3 = '/run/hapair-drill.ghi789'
const isMount = (s: string) => s.includes('mount -t nfs')
/** The mount directories the transport is given, in order. */
const dirs = (...names: string[]) => () => names.shift() ?? assert.fail('one mount too many')
/** The transport as the failover session makes it, with known mount directories. */
const transport = (client: FakeHost, exportPath: string | null = '/data') => remoteKernelNfs(client, {exportPath: exportPath ?? undefined, mountDir: dirs(MNT, MNT2, MNT3)})
/** The seconds given to each `timeout -s KILL` in a script. */
const killAfter = (s: string) => [...s.matchAll(/timeout -s KILL ([\d.]+) /g)].map((m) => Number(m[1]) * 1000)

/** Runs a script under the same header the SSH host sends, with bash. */
const bash = (script: string) => spawnSync('bash', ['-c', SCRIPT_HEADER + script], {encoding: 'utf8'})

test('mount options: NFSv3 over TCP, soft, synchronous, nothing cached, soft timeout near the budget', () => {
  const opts = mountOptions(9000).split(',')
  for (const o of ['vers=3', 'proto=tcp', 'soft', 'sync', 'actimeo=0', 'lookupcache=none', 'nolock', 'retry=0', 'retrans=1', 'nosharecache', 'nordirplus']) assert.ok(opts.includes(o), o)
  assert.ok(!opts.includes('hard') && !opts.includes('async'))
  // timeo in deciseconds: about a third of the budget (TCP backs off linearly: timeo + 2 timeo with retrans=1)
  assert.ok(opts.includes('timeo=30'))
  // never under 1 s, so a slow but live server is not retransmitted to
  assert.ok(mountOptions(1000).split(',').includes('timeo=10'))
})

test('the node kills every operation before hapair stops waiting', () => {
  for (const t of [300, 3000, 10_000]) {
    const budget = nodeBudgetMs(t)
    assert.ok(budget < t && budget > 0, `${t} -> ${budget}`)
    for (const s of [writeScript(MNT, 'r', 'x', budget), readScript(MNT, 'r', budget), listScript(MNT, '', budget), mountScript('10.0.0.1', '/data', MNT, budget)]) {
      const kills = killAfter(s)
      assert.ok(kills.length > 0, s)
      // the mount script's cleanup of a failed mount has its own 2 s bound; the mount itself is first
      assert.ok(kills[0] <= budget && kills[0] > 0, `${kills[0]} vs ${budget}:\n${s}`)
    }
    // dropping old mounts first leaves the mount less time, not the script more
    const withOld = killAfter(mountScript('10.0.0.1', '/data', MNT, budget, [MNT2]))
    assert.ok(withOld[0] + withOld[1] <= Math.max(budget, 1500), `${withOld} vs ${budget}`)
  }
  // 2250 ms is 2.2 s on the node, not a rounded-up 2.3
  assert.deepEqual(killAfter(readScript(MNT, 'r', 2250)), [2200])
})

test('scripts: write O_SYNC + fsync, read O_DIRECT, list discards names; all behind the mount check', () => {
  const w = writeScript(MNT, '.hapair-drill/run1/rec-000001', "it's\n", 2000)
  assert.match(w, /dd of="\$d"\/'\.hapair-drill\/run1\/rec-000001' bs=1M oflag=sync conv=fsync status=none/)
  assert.ok(w.includes(`printf '%s' 'it'\\''s\n' |`))
  assert.match(readScript(MNT, 'a/b', 2000), /dd if="\$d"\/'a\/b' bs=1M iflag=direct status=none$/)
  assert.match(listScript(MNT, 'a', 2000), /ls -1A -- "\$d"\/'a' >\/dev\/null$/)
  for (const s of [w, readScript(MNT, 'a', 2000), listScript(MNT, 'a', 2000)]) {
    assert.ok(s.startsWith(`d='${MNT}'\nawk `), s)
    assert.ok(s.includes(`exit ${MOUNT_GONE}`))
  }
})

test('the mount script: checks for mount.nfs, mounts on a new private directory, cleans up a failed mount, drops old mounts first', () => {
  const s = mountScript('192.168.77.100', '/data', MNT, 2000, ['/run/hapair-drill.old111'])
  assert.ok(s.indexOf("umount -c -i -f -l '/run/hapair-drill.old111'") < s.indexOf('mkdir'), 'old mounts go first')
  assert.match(s, /command -v mount\.nfs >\/dev\/null \|\| \{ echo 'mount\.nfs not found' >&2; exit 69; \}\nd='\/run\/hapair-drill\.abc123'\nmkdir -m 0700 "\$d"\n/)
  assert.match(s, /mount -t nfs -o vers=3,[^ ]*,sync,[^ ]* '192\.168\.77\.100:\/data' "\$d" \|\| \{\n {2}rc=\$\?\n {2}timeout -s KILL 1 umount -c -i -f -l "\$d".*\n {2}rmdir "\$d".*\n {2}exit \$rc\n\}$/)
  assert.ok(!/rm -r/.test(s), 'a directory that may hold the export is never removed recursively')
  assert.match(mountScript('fd00::100', '/data', MNT, 2000), /'\[fd00::100\]:\/data'/)
  assert.equal(unmountScript([MNT]), `timeout -s KILL 1 umount -c -i -f -l '${MNT}' 2>/dev/null || true\nrmdir '${MNT}' 2>/dev/null || true`)
  assert.match(newMountDir(), /^\/run\/hapair-drill\.[0-9a-f]{12}$/)
  assert.notEqual(newMountDir(), newMountDir())
})

test('URL to path under the mount; anything outside the mounted export refused', () => {
  const m = {server: '192.168.77.100', exportPath: '/data'}
  assert.deepEqual(pathInMount(m, {host: '192.168.77.100', path: '/data/.hapair-drill/run1/rec-000001'}), {rel: '.hapair-drill/run1/rec-000001'})
  assert.deepEqual(pathInMount(m, {host: '192.168.77.100', path: '/data'}), {rel: ''})
  assert.match((pathInMount(m, {host: '192.168.77.100', path: '/database/x'}) as {error: string}).error, /\/database\/x is outside the mounted export 192\.168\.77\.100:\/data/)
  assert.ok('error' in pathInMount(m, {host: '192.168.77.101', path: '/data/x'}), 'another server')
})

test('one mount, shared by concurrent operations, then write, read back and list on it', async () => {
  const client = new FakeHost('client1')
    .expect(isMount)
    .expect((s) => s.includes(`d='${MNT}'`) && s.includes("of=\"$d\"/'.hapair-drill/run1/rec-000001'") && s.includes(`printf '%s' '${RECORD}'`))
    .expect((s) => s.includes("ls -1A -- \"$d\"/'.hapair-drill/run1'"))
    .expect((s) => s.includes("if=\"$d\"/'.hapair-drill/run1/rec-000001'") && s.includes('iflag=direct'), {stdout: RECORD})
  const t = transport(client)
  const [w, l] = await Promise.all([t.write(REC_URL, RECORD, 3000), t.list(DIR_URL, 3000)])
  assert.deepEqual(w, {ok: true, stdout: ''})
  assert.deepEqual(l, {ok: true, stdout: ''})
  assert.deepEqual(await t.read(REC_URL, 3000), {ok: true, stdout: RECORD})
  assert.equal(client.scripts.filter(isMount).length, 1)
  assert.ok(client.scripts[0].includes("'192.168.77.100:/data'"), 'the export from the cluster file, not the drill directory')
  // SSH gives up at the operation's timeout; the node has killed the operation before
  // (the mount has its own, longer limit: see the slow-mount test)
  for (const c of client.calls) assert.ok(c.opts.timeoutMs! <= (isMount(c.script) ? MOUNT_MS : 3000) && killAfter(c.script)[0] < c.opts.timeoutMs!, c.label)
  assert.match(t.describe, /kernel NFS client on client1/)
  client.done()
})

test('without an export path, the first directory used is mounted', async () => {
  const client = new FakeHost('client1').expect((s) => isMount(s) && s.includes("'192.168.77.100:/data/.hapair-drill/run1'")).expect((s) => s.includes("of=\"$d\"/'rec-000001'"))
  const t = transport(client, null)
  assert.equal((await t.write(REC_URL, RECORD, 3000)).ok, true)
  client.done()
})

test('a URL outside the export is refused without touching the node', async () => {
  const client = new FakeHost('client1')
  const t = transport(client)
  const r = await t.write('nfs://192.168.77.100/srv/x/rec-000001?version=3', RECORD, 3000)
  assert.equal(r.ok, false)
  assert.match(r.error!, /outside the export \/data/)
  assert.equal((await t.list('nfs://192.168.77.100/data?version=4', 3000)).ok, false)
  assert.equal(client.calls.length, 0)
})

test('no mount.nfs on the client: every operation fails naming the node and the package, and tries the mount again', async () => {
  const missing = {code: 69, stderr: 'mount.nfs not found\n'}
  const client = new FakeHost('client1').expect(isMount, missing).expect(isMount, missing).expect(isMount).expect('ls -1A')
  const t = transport(client)
  for (const r of [await t.write(REC_URL, RECORD, 3000), await t.list(DIR_URL, 3000)]) {
    assert.equal(r.ok, false)
    assert.match(r.error!, /^client1 has no NFS client \(mount\.nfs not found\): install nfs-common \(Debian, Ubuntu\) or nfs-utils/)
  }
  assert.deepEqual(await t.list(DIR_URL, 3000), {ok: true, stdout: ''})
  client.done()
})

test('no /etc/protocols on the client (no netbase): the mount error says what to install', async () => {
  const client = new FakeHost('client1').expect(isMount, {code: 32, stderr: "mount.nfs: Failed to find 'tcp' protocol\n"})
  const r = await transport(client).list(DIR_URL, 3000)
  assert.equal(r.ok, false)
  assert.match(r.error!, /^client1: cannot mount 192\.168\.77\.100:\/data: mount\.nfs: Failed to find 'tcp' protocol \(client1 has no \/etc\/protocols\): install netbase on it$/)
  client.done()
})

test('a refused, silent or lost mount: the node and mount.nfs\'s own words, or the timeout', async () => {
  const client = new FakeHost('client1')
    .expect(isMount, {code: 32, stderr: 'mount.nfs: access denied by server while mounting 192.168.77.100:/data\n'})
    .expect(isMount, {code: 137})
    .expect(isMount, {throws: new Error('client1: connection lost')})
    .expect((s) => isMount(s) && s.includes(`umount -c -i -f -l '${MNT3}'`) && !s.includes(`'${MNT}'`))
  const t = remoteKernelNfs(client, {exportPath: '/data', mountDir: dirs(MNT, MNT2, MNT3, '/run/hapair-drill.jkl012')})
  assert.deepEqual(await t.list(DIR_URL, 3000), {ok: false, error: 'client1: cannot mount 192.168.77.100:/data: mount.nfs: access denied by server while mounting 192.168.77.100:/data'})
  assert.deepEqual(await t.list(DIR_URL, 3000), {ok: false, error: `client1: mounting 192.168.77.100:/data got no answer within ${MOUNT_MS} ms`})
  assert.deepEqual(await t.list(DIR_URL, 3000), {ok: false, error: 'client1: mounting 192.168.77.100:/data: client1: connection lost'})
  // that mount may have happened after all: the next mount removes it first
  assert.equal((await t.list(DIR_URL, 3000)).ok, false)
  client.done()
})

test('an operation killed on the node is "no answer"; the mount stays', async () => {
  const client = new FakeHost('client1').expect(isMount).expect('oflag=sync', {code: 137}).expect('oflag=sync').expect('iflag=direct', {throws: new Error('"drill read" did not finish within 3 s; it was stopped')})
  const t = transport(client)
  assert.deepEqual(await t.write(REC_URL, RECORD, 3000), {ok: false, error: 'no answer within 3000 ms'})
  assert.deepEqual(await t.write(REC_URL, RECORD, 3000), {ok: true, stdout: ''})
  assert.deepEqual(await t.read(REC_URL, 3000), {ok: false, error: '"drill read" did not finish within 3 s; it was stopped'})
  client.done()
})

test('a mount that is gone or stale is dropped: the next operation mounts again and the old one is cleaned up', async () => {
  const client = new FakeHost('client1')
    .expect(isMount)
    .expect((s) => s.includes(`d='${MNT}'`) && s.includes('oflag=sync'), {code: MOUNT_GONE, stderr: `${MNT} is no longer an NFS mount\n`})
    .expect((s) => isMount(s) && s.includes(`umount -c -i -f -l '${MNT}'`), {})
    .expect((s) => s.includes(`d='${MNT2}'`) && s.includes('iflag=direct'), {code: 1, stderr: "dd: failed to open '/run/x/rec': Stale file handle\n"})
    .expect((s) => isMount(s) && s.includes(`umount -c -i -f -l '${MNT2}'`) && !s.includes(MNT), {})
    .expect((s) => s.includes(`d='${MNT3}'`) && s.includes('iflag=direct'), {stdout: RECORD})
  const t = transport(client)
  assert.deepEqual(await t.write(REC_URL, RECORD, 3000), {ok: false, error: `${MNT} is no longer an NFS mount`})
  assert.deepEqual(await t.read(REC_URL, 3000), {ok: false, error: "dd: failed to open '/run/x/rec': Stale file handle"})
  assert.deepEqual(await t.read(REC_URL, 3000), {ok: true, stdout: RECORD})
  // Only the first mount may take longer than its operation: later ones keep the operation's budget.
  assert.deepEqual(client.calls.filter((c) => isMount(c.script)).map((c) => c.opts.timeoutMs), [MOUNT_MS, 3000, 3000])
  client.done()
})

test('a mount that took the operation\'s time leaves the operation failed, not run late; the next one uses the mount', async () => {
  const client = new FakeHost('client1').expect(isMount).expect('ls -1A')
  const slowMount: Host = {
    node: client.node,
    address: client.address,
    run: async (script, opts) => {
      if (isMount(script)) await new Promise((r) => setTimeout(r, 250))
      return client.run(script, opts)
    },
    close: () => client.close(),
  }
  const t = remoteKernelNfs(slowMount, {exportPath: '/data', mountDir: dirs(MNT)})
  assert.deepEqual(await t.list(DIR_URL, 500), {ok: false, error: 'no answer within 500 ms (mounting took it)'})
  assert.equal((await t.list(DIR_URL, 500)).ok, true)
  client.done()
})

test('a slow first mount: the operation stops waiting at its deadline, the mount goes on and the next operation uses it', async () => {
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const client = new FakeHost('client1').expect(isMount).expect('ls -1A')
  const slowMount: Host = {
    node: client.node,
    address: client.address,
    run: async (script, opts) => {
      if (isMount(script)) await gate
      return client.run(script, opts)
    },
    close: () => client.close(),
  }
  const t = remoteKernelNfs(slowMount, {exportPath: '/data', mountDir: dirs(MNT)})
  assert.deepEqual(await t.list(DIR_URL, 50), {ok: false, error: 'no answer within 50 ms (still mounting 192.168.77.100:/data)'})
  const next = t.list(DIR_URL, 5000)
  release()
  assert.equal((await next).ok, true)
  assert.equal(client.scripts.filter(isMount).length, 1, 'the second operation mounted again')
  // The mount's own limit is MOUNT_MS; its soft timeouts are sized for the operation that started it.
  const mount = client.calls.find((c) => isMount(c.script))!
  assert.equal(mount.opts.timeoutMs, MOUNT_MS)
  assert.match(mount.script, /,timeo=10,/)
  client.done()
})

test('an ordinary failure (no such file) keeps the mount', async () => {
  const client = new FakeHost('client1').expect(isMount).expect('iflag=direct', {code: 1, stderr: "dd: failed to open '/run/x/rec': No such file or directory\n"}).expect('ls -1A')
  const t = transport(client)
  assert.equal((await t.read(REC_URL, 3000)).ok, false)
  assert.equal((await t.list(DIR_URL, 3000)).ok, true)
  client.done()
})

test('close unmounts and removes the directory, never throws, and ends the transport', async () => {
  const client = new FakeHost('client1')
    .expect(isMount)
    .expect('ls -1A')
    .expect((s) => s.includes(`umount -c -i -f -l '${MNT}'`) && s.includes(`rmdir '${MNT}'`) && !s.includes('mount -t nfs'), {throws: new Error('connection lost')})
  const t = transport(client)
  assert.equal((await t.list(DIR_URL, 3000)).ok, true)
  await t.close()
  assert.match((await t.list(DIR_URL, 3000)).error!, /closed/)
  client.done()

  // a mount dropped and not yet replaced is cleaned up too
  const dropped = new FakeHost('client2').expect(isMount).expect('ls -1A', {code: MOUNT_GONE}).expect((s) => s.includes(`umount -c -i -f -l '${MNT}'`))
  const t2 = transport(dropped)
  assert.equal((await t2.list(DIR_URL, 3000)).ok, false)
  await t2.close()
  dropped.done()

  // nothing mounted: nothing to do
  const idle = new FakeHost('client3')
  await remoteKernelNfs(idle).close()
  assert.equal(idle.calls.length, 0)
})

test('for real in bash: every script parses; the mount check refuses a plain directory; the bodies write and read a file', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hapair-kernel-nfs-'))
  try {
    const content = "1,it's \"quoted\" $HOME `x`\n"
    for (const s of [writeScript(tmp, 'r', content, 2000), readScript(tmp, 'r', 2000), listScript(tmp, '', 2000), mountScript('10.0.0.1', '/data', MNT, 2000, [MNT2]), unmountScript([MNT, MNT2])]) {
      const r = spawnSync('bash', ['-n', '-c', s], {encoding: 'utf8'})
      assert.equal(r.status, 0, `${r.stderr}\n${s}`)
    }
    // not an NFS mount: exit MOUNT_GONE and nothing written into the bare directory
    const refused = bash(writeScript(tmp, 'r', content, 2000))
    assert.equal(refused.status, MOUNT_GONE, refused.stderr)
    assert.match(refused.stderr, /is no longer an NFS mount/)
    assert.equal(existsSync(join(tmp, 'r')), false)

    // the check reads the mount table: an NFS mount of that directory passes, another type or directory does not
    const table = join(tmp, 'mounts')
    const check = (line: string) => {
      writeFileSync(table, `${line}\n`)
      return bash(listScript(tmp, '', 2000).replace('/proc/self/mounts', table)).status
    }
    assert.equal(check(`192.168.77.100:/data ${tmp} nfs rw,sync,vers=3 0 0`), 0)
    assert.equal(check(`tmpfs ${tmp} tmpfs rw 0 0`), MOUNT_GONE)
    assert.equal(check(`192.168.77.100:/data ${tmp}x nfs rw 0 0`), MOUNT_GONE)

    // the operation bodies on a local directory (the mount check taken out): content byte for byte
    const body = (s: string) => s.split('\n').filter((l) => !l.startsWith('awk ')).join('\n')
    const w = bash(body(writeScript(tmp, 'r', content, 2000)))
    assert.equal(w.status, 0, w.stderr)
    assert.equal(readFileSync(join(tmp, 'r'), 'utf8'), content)
    const r = bash(body(readScript(tmp, 'r', 2000)))
    // O_DIRECT may be refused by this machine's temp filesystem; the NFS client supports it
    if (!/Invalid argument/.test(r.stderr)) assert.deepEqual({status: r.status, stdout: r.stdout}, {status: 0, stdout: content})
    assert.equal(bash(body(listScript(tmp, '', 2000))).status, 0)
  } finally {
    rmSync(tmp, {recursive: true, force: true})
  }
})
