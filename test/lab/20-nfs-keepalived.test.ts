/**
 * Issue 5 in the lab: storage ready (the storage suite's checkpoint) -> `hapair run nfs-keepalived`
 * (a real apt-get install of NFS and keepalived) -> an NFS export on the VIP
 * that a client in the client namespace uses; re-runs change nothing; a config change touches
 * only what it changes. The seed's own drill (stop keepalived on the master, the service moves
 * with its data, preempt brings it back) is the suite's stop-ha drill in 25-remote-client;
 * nopreempt (node2 keeps the service when node1 returns) is proven by 45-switchover.
 */
import {test, before} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {clientExec, guestExec, VIP} from '../../src/lab/index.js'
import {expectExit, hapair} from './cli.js'
import {
  CHECKPOINT_CLUSTER, CHECKPOINT_STORAGE, changedSteps as changed, clusterFileVariant as variant, onGuest as on, requireLab,
  restoreSuiteCheckpoint, saveSuiteCheckpoint,
} from './lab-suite.js'
import {pairFingerprint} from './pair-fingerprint.js'
import {readSuiteFingerprint} from './suite-fingerprints.js'
import {describeChain, killInEachStep} from './interrupt-chain.js'

/** The runbook's steps after storage, in order: each gets a run killed while it applies. */
const HA_STEPS = ['nfs.packages', 'nfs.config', 'nfs.boot', 'keepalived.packages', 'keepalived.scripts', 'keepalived.config', 'keepalived.service']

const holdsVip = async (node: string) => (await guestExec(node, `ip -4 -o addr show dev eth0 | grep -qw ${VIP}`, {timeoutMs: 30_000})).code === 0
const isPrimary = async (node: string) => /ro:Primary\//.test((await guestExec(node, 'cat /proc/drbd', {timeoutMs: 30_000})).stdout)

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 120_000): Promise<number> {
  const start = Date.now()
  while (Date.now() - start < timeoutMs) {
    if (await probe()) return Date.now() - start
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

async function serves(node: string): Promise<boolean> {
  const peer = node === 'node1' ? 'node2' : 'node1'
  return (await holdsVip(node)) && (await isPrimary(node)) && !(await holdsVip(peer)) && !(await isPrimary(peer)) &&
    (await guestExec(node, 'findmnt -n /data >/dev/null && test "$(cat /proc/fs/nfsd/threads)" -gt 0', {timeoutMs: 30_000})).code === 0
}

/** Each node's current data generation (get-gi's first field): a create-md or a forced primary makes a new one, a handover does not. */
const generations = (f: Record<string, Record<string, string>>) => Object.fromEntries(Object.entries(f).map(([node, v]) => [node, v.generations.split(':')[0]]))
const drbdOnly = (f: Record<string, Record<string, string>>) => Object.fromEntries(Object.entries(f).map(([node, v]) => [node, {drbd: v.drbd, generations: v.generations}]))

const url = (file: string) => `nfs://${VIP}/data/${file}?version=3`

async function clientWrite(file: string, content: string): Promise<void> {
  const local = join(mkdtempSync(join(tmpdir(), 'hapair-nfs-')), 'f')
  writeFileSync(local, content)
  const r = await clientExec(['nfs-cp', local, url(file)], {timeoutMs: 60_000})
  assert.equal(r.code, 0, `nfs-cp to the VIP failed: ${r.stderr}`)
}

async function clientRead(file: string): Promise<string> {
  const r = await clientExec(['nfs-cat', url(file)], {timeoutMs: 60_000})
  assert.equal(r.code, 0, `nfs-cat from the VIP failed: ${r.stderr}`)
  return r.stdout
}

before(async () => {
  // From the storage suite's checkpoint (partitioned, DRBD synced, /data on node1), not from a
  // fresh boot: that suite already ran partition and drbd-init from blank disks for real.
  await requireLab()
  await restoreSuiteCheckpoint(CHECKPOINT_STORAGE)
})

test('storage ready -> run nfs-keepalived, SIGKILLed in each HA step: storage untouched, NFS and keepalived really installed; VIP and DRBD primary on node1, /data exported, a client writes and reads through the VIP', async () => {
  // Issue 12's interruption matrix for the HA steps: each run is killed while its step applies
  // (an apt-get install, a file, a unit), the next run takes over, the last one converges.
  const chain = await killInEachStep(['run', 'nfs-keepalived'], HA_STEPS, {timeoutMs: 40 * 60_000})
  console.log(describeChain(chain))
  assert.deepEqual(chain.interruptions.map((i) => i.step), HA_STEPS, 'a step applied without a run killed in it')
  assert.deepEqual(changed(expectExit(chain.final, 0, 'run nfs-keepalived after the kills').json), [])
  assert.doesNotMatch(chain.last.stdout, /\[(storage|drbd|filesystem)\.[a-z]+\]: \d+ changes? made/, 'the storage steps changed something')
  // Really installed, by dpkg's own record (the storage checkpoint has neither).
  for (const node of ['node1', 'node2']) {
    assert.equal(await on(node, "dpkg-query -W -f '${Status} ${Package}\\n' nfs-kernel-server keepalived | sort"), 'install ok installed keepalived\ninstall ok installed nfs-kernel-server')
  }
  // Nothing done twice underneath: DRBD's data generations are the storage checkpoint's.
  const storage = readSuiteFingerprint(CHECKPOINT_STORAGE)
  assert.ok(storage, `no fingerprint of checkpoint ${CHECKPOINT_STORAGE}`)
  assert.deepEqual(generations(await pairFingerprint()), generations(storage))
  await until('node1 to serve', () => serves('node1'), 60_000)
  assert.match(await on('node1', 'exportfs -v'), /^\/data\s/m)
  await clientWrite('hello.txt', 'written through the VIP\n')
  assert.equal(await clientRead('hello.txt'), 'written through the VIP\n')
  const status = expectExit(await hapair(['status', '--json']), 0, 'status')
  assert.equal(status.json.vipHolder, 'node1')
  assert.equal(status.json.primary, 'node1')
})

test('checkpoints: after the runbook ran, restoring the storage checkpoint gives back its disks, DRBD state and /data (checksums), twice in a row', async () => {
  const storage = readSuiteFingerprint(CHECKPOINT_STORAGE)
  assert.ok(storage, `no fingerprint of checkpoint ${CHECKPOINT_STORAGE}: the storage suite (10-storage) saves it and runs first`)
  await saveSuiteCheckpoint(CHECKPOINT_CLUSTER)
  const cluster = await pairFingerprint()
  assert.notDeepEqual(cluster, storage, 'the runbook changed nothing the fingerprint sees, so the proof would prove nothing')
  let atCluster = true
  try {
    for (const round of [1, 2]) {
      atCluster = false
      await restoreSuiteCheckpoint(CHECKPOINT_STORAGE)
      assert.deepEqual(await pairFingerprint(), storage, `round ${round}: the storage checkpoint came back different`)
      assert.equal((await guestExec('node1', 'dpkg -s keepalived', {timeoutMs: 30_000})).code, 1, `round ${round}: keepalived still installed after restoring storage`)
      await restoreSuiteCheckpoint(CHECKPOINT_CLUSTER)
      // The NFS server and the health checks write under /data while the cluster runs, so only
      // DRBD's state and generations are compared here; the storage checkpoint is compared whole.
      atCluster = true
      assert.deepEqual(drbdOnly(await pairFingerprint()), drbdOnly(cluster), `round ${round}: the cluster checkpoint came back different`)
    }
  } finally {
    // The tests after this one need the cluster, whatever failed above.
    if (!atCluster) await restoreSuiteCheckpoint(CHECKPOINT_CLUSTER)
  }
  await until('node1 to serve after the restore', () => serves('node1'), 60_000)
  assert.equal(await clientRead('hello.txt'), 'written through the VIP\n')
})

test('a node serves /data only while the replicated filesystem is mounted there: a stray NFS server on the standby exports nothing', async () => {
  assert.match(await on('node1', 'exportfs -v'), /mountpoint/, 'the live export table has no mount-point guard')
  // node2 is the standby: /data is an empty directory on its root disk. An nfsd started there by
  // hand or by a package script must not serve it (a client's writes would land on the root disk).
  assert.equal(await on('node2', 'findmnt -n /data || true'), '')
  // exportfs still lists /data there (the table is loaded); mountd refuses it when a client asks.
  // Without `mp` this same listing succeeds and shows the empty directory.
  try {
    await on('node2', 'systemctl start nfs-server')
    const r = await clientExec(['nfs-ls', 'nfs://192.168.77.12/data?version=3'], {timeoutMs: 60_000})
    assert.notEqual(r.code, 0, `node2 served its unmounted /data: ${r.stdout}`)
    assert.match(r.stderr + r.stdout, /MNT3ERR_NOENT/)
  } finally {
    await on('node2', 'systemctl stop nfs-server; exportfs -ua')
  }
})

test('a second run changes nothing and says so', async () => {
  const r = expectExit(await hapair(['run', 'nfs-keepalived', '--json'], {timeoutMs: 20 * 60_000}), 0, 'second run')
  assert.deepEqual(changed(r.json), [])
  const text = expectExit(await hapair(['ha-install']), 0, 'ha-install again')
  assert.match(text.stdout, /No changes/)
})

test('a new export client changes only the exports, and only on the way there and back', async () => {
  const file = variant((y) => y.replace('options: [rw, sync, no_root_squash] } ]', 'options: [rw, sync, no_root_squash] }, { path: /data, clients: 192.168.77.250, options: [ro] } ]'))
  const added = expectExit(await hapair(['ha-install', '--json'], {configFile: file}), 0, 'ha-install with a new client')
  assert.deepEqual(changed(added.json), ['nfs.config'])
  assert.match(await on('node1', 'exportfs -v'), /192\.168\.77\.250/)
  const restored = expectExit(await hapair(['ha-install', '--json']), 0, 'ha-install with the original file')
  assert.deepEqual(changed(restored.json), ['nfs.config'])
  assert.doesNotMatch(await on('node1', 'exportfs -v'), /192\.168\.77\.250/)
})
