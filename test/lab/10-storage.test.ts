/**
 * Issue 4 on real DRBD 8.4 in the lab: blank disks -> partition -> drbd-init, refusals that
 * leave the disk byte-identical, an interrupted sync resumed, second runs changing nothing,
 * and a manual switchover that reads on node2 what node1 wrote. The runs from blank disks are
 * also issue 12's interruption matrix for the storage steps: hapair is SIGKILLed in the middle
 * of each step's apply and run again (interrupt-chain.ts), and nothing is done twice.
 */
import {test, before} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {NETNS_CLIENT} from '../../src/lab/topology.js'
import {labPaths} from '../../src/lab/paths.js'
import {BIN, expectExit, hapair} from './cli.js'
import {guestExec, linkDown, linkUp} from '../../src/lab/index.js'
import {CHECKPOINT_STORAGE, changedSteps, onGuest as on, requireBlankLab, saveSuiteCheckpoint} from './lab-suite.js'
import {pairFingerprint} from './pair-fingerprint.js'
import {cutLinkDuring, describeChain, killInEachStep} from './interrupt-chain.js'
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
  // --wipe, SIGKILLed while each step applies (the wipe and the partitioning; the tools are in the image).
  const chain = await killInEachStep(['partition', '--wipe'], ['storage.packages', 'storage.partition'])
  console.log(describeChain(chain))
  assert.deepEqual(chain.interruptions.map((i) => i.step), ['storage.partition'], 'no run was killed while it partitioned')
  assert.deepEqual(changedSteps(expectExit(chain.final, 0, 'partition after the kills').json), [])
  for (const node of ['node1', 'node2']) assert.equal(await on(node, 'test -b /dev/vdb1 && echo yes'), 'yes')
})

test('drbd-init SIGKILLed in each step, then interrupted during the initial sync: it converges without doing anything twice', async () => {
  // Up to the first primary: each run is killed while its step applies, the next one takes over.
  // (A kill during primary --force is 40-preferred-second-node's: here the initial sync must still
  // be to come, to be interrupted in it.)
  const setup = ['drbd.packages', 'drbd.config', 'drbd.metadata', 'drbd.up', 'drbd.connect']
  // First a pulled cable: node2's link cut for 5 s while it installs DRBD's tools.
  const cut = await cutLinkDuring(['drbd-init', '--only', 'drbd.packages'], 'drbd.packages', 'node2', {cutMs: 5000, down: () => linkDown('node2'), up: () => linkUp('node2')})
  console.log(`node2's link cut for 5 s during drbd.packages: the run ${cut.code === 0 ? 'rode it out' : `failed (exit ${cut.code}), naming the node, step and command`}`)
  const first = await killInEachStep(['drbd-init', '--only', setup.join(',')], setup)
  console.log(describeChain(first))
  assert.deepEqual(changedSteps(expectExit(first.final, 0, 'drbd-init up to the first primary, after the kills').json), [])
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

  // After Ctrl-C, SIGKILLs in the sync's wait, the mkfs and the mount, then a run to the end.
  const rest = await killInEachStep(['drbd-init'], ['drbd.sync', 'filesystem.mkfs', 'filesystem.mount'])
  console.log(describeChain(rest))
  const killed = [...first.interruptions, ...rest.interruptions].map((i) => i.step)
  for (const step of ['drbd.config', 'drbd.metadata', 'filesystem.mkfs']) assert.ok(killed.includes(step), `no run was killed while ${step} applied: ${killed.join(', ')}`)
  assert.deepEqual(changedSteps(expectExit(rest.final, 0, 'drbd-init after the kills').json), [])
  // Nothing done twice, in DRBD's own words: one forced primary and one full sync, both on node1
  // (a second create-md or primary --force would show here), and a filesystem on it.
  const kernel = async (node: string, what: string) => Number(await on(node, `dmesg | grep -c '${what}' || true`))
  assert.equal(await kernel('node1', 'Forced to consider local data as UpToDate'), 1, 'primary --force ran more than once on node1')
  assert.equal(await kernel('node2', 'Forced to consider local data as UpToDate'), 0, 'primary --force ran on node2')
  assert.equal(await kernel('node1', 'full sync required'), 1, 'more than one full sync')
  assert.equal(await on('node1', 'blkid -p -s TYPE -o value /dev/drbd0'), 'ext4')
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
