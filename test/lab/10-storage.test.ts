/**
 * Issue 4 on real DRBD 8.4 in the lab: blank disks -> partition -> drbd-init, refusals that
 * leave the disk byte-identical, an interrupted sync resumed, second runs changing nothing,
 * and a manual switchover that reads on node2 what node1 wrote.
 */
import {test, before} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {NETNS_CLIENT} from '../../src/lab/topology.js'
import {labPaths} from '../../src/lab/paths.js'
import {BIN, expectExit, hapair} from './cli.js'
import {guestExec} from '../../src/lab/index.js'
import {CHECKPOINT_STORAGE, changedSteps, onGuest as on, requireBlankLab, saveSuiteCheckpoint} from './lab-suite.js'
import {pairFingerprint} from './pair-fingerprint.js'
import {saveSuiteFingerprint} from './suite-fingerprints.js'

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (await probe()) return
    await new Promise((r) => setTimeout(r, 1000))
  }
  throw new Error(`timed out waiting for ${what}`)
}

const firstMiB = (node: string) => on(node, 'dd if=/dev/vdb bs=1M count=1 status=none | sha256sum')

before(async () => {
  await requireBlankLab()
})

test('a disk holding a filesystem is refused, untouched; --wipe proceeds', async () => {
  await on('node2', 'mkfs.ext4 -q -L precious /dev/vdb && mkdir -p /mnt/p && mount /dev/vdb /mnt/p && echo keep > /mnt/p/file && umount /mnt/p')
  const before = await firstMiB('node2')
  const refused = await hapair(['partition'])
  assert.equal(refused.code, 1, refused.stdout + refused.stderr)
  assert.match(refused.stderr, /node2/)
  assert.match(refused.stderr, /ext4/)
  assert.equal(await firstMiB('node2'), before, 'the refused disk changed')
  // node1 is blank, yet nothing was written there either: refusals come before any change.
  assert.equal(await on('node1', 'lsblk -n -o NAME /dev/vdb | wc -l'), '1')
  const wiped = expectExit(await hapair(['partition', '--wipe', '--json']), 0, 'partition --wipe')
  assert.deepEqual(changedSteps(wiped.json).includes('storage.partition'), true)
  for (const node of ['node1', 'node2']) assert.equal(await on(node, 'test -b /dev/vdb1 && echo yes'), 'yes')
})

test('drbd-init interrupted during the initial sync leaves DRBD syncing; a re-run converges without redoing', async () => {
  const child = spawn('ip', ['netns', 'exec', NETNS_CLIENT, process.execPath, BIN, 'drbd-init', '-c', labPaths().clusterFile], {env: {...process.env, CI: 'true'}, stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)))
  await until('the initial sync to start', async () => /SyncSource/.test((await guestExec('node1', 'cat /proc/drbd', {timeoutMs: 30_000})).stdout), 15 * 60_000)
  child.kill('SIGINT')
  const code = await exited
  assert.equal(code, 130, `expected exit 130 after Ctrl-C, got ${code}\n${out.slice(-3000)}`)
  assert.match(await on('node1', 'cat /proc/drbd'), /cs:(SyncSource|Connected)/, 'DRBD stopped syncing when hapair was interrupted')

  const again = expectExit(await hapair(['drbd-init', '--json']), 0, 'drbd-init re-run')
  const changed = changedSteps(again.json)
  for (const done of ['drbd.config', 'drbd.metadata', 'drbd.primary']) assert.ok(!changed.includes(done), `${done} was redone: ${changed.join(', ')}`)
  assert.ok(changed.includes('filesystem.mkfs'), `mkfs should run after the resumed sync: ${changed.join(', ')}`)
})

test('the result: node1 Primary, Connected, UpToDate/UpToDate, /data mounted on node1 only', async () => {
  const proc = await on('node1', 'cat /proc/drbd')
  assert.match(proc, /cs:Connected ro:Primary\/Secondary ds:UpToDate\/UpToDate/)
  assert.match(await on('node1', 'findmnt -n -o SOURCE /data'), /^\/dev\/drbd0$/)
  assert.equal((await guestExec('node2', 'findmnt -n /data', {timeoutMs: 30_000})).code, 1)
  assert.doesNotMatch(await on('node1', 'cat /etc/fstab'), /drbd0/)
})

test('second runs of partition and drbd-init change nothing and say so', async () => {
  const p = expectExit(await hapair(['partition']), 0, 'partition again')
  assert.match(p.stdout, /No changes/)
  const d = expectExit(await hapair(['drbd-init', '--json']), 0, 'drbd-init again')
  assert.deepEqual(changedSteps(d.json), [])
})

test('manual switchover: a file written on node1 is read on node2, then back', async () => {
  await on('node1', 'echo "written on node1" > /data/switchover.txt && sync && umount /data && drbdadm secondary r0')
  await on('node2', 'drbdadm primary r0 && mount /dev/drbd0 /data')
  assert.equal(await on('node2', 'cat /data/switchover.txt'), 'written on node1')
  await on('node2', 'umount /data && drbdadm secondary r0')
  await on('node1', 'drbdadm primary r0 && mount /dev/drbd0 /data')
})

test('storage ready: the pair is checkpointed (the later suites and the checkpoint proof start from it)', async () => {
  const fingerprint = await pairFingerprint()
  assert.match(fingerprint.node1.drbd, /cs:Connected ro:Primary\/Secondary ds:UpToDate\/UpToDate/)
  await saveSuiteCheckpoint(CHECKPOINT_STORAGE)
  saveSuiteFingerprint(CHECKPOINT_STORAGE, fingerprint)
})
