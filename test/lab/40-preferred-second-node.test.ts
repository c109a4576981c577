/**
 * Issue 10's proof of one preferred node: a cluster file that gives the SECOND node the higher
 * priority, built from empty replicated disks, ends with node2 as the first DRBD Primary, the
 * VRRP master and the NFS server at once. Before one preferredNode existed, DRBD took the first
 * node and VRRP the higher priority, and the two disagreed here.
 *
 * It starts from the cluster checkpoint with the service stopped and DRBD's metadata and the
 * filesystem wiped on both nodes: the packages are installed (the NFS + keepalived suite proves
 * real installs; repeating them here cost two minutes), and everything the preferred node decides
 * (which side `primary --force` runs on, the direction of the initial sync, who takes the VIP
 * first) starts from nothing, as on blank disks. Its first run is also issue 12's interruption
 * matrix for the steps that decide the first Primary: hapair SIGKILLed while DRBD's metadata is
 * created and while `primary --force` runs, then run again, and DRBD says it was forced once.
 */
import {before, test} from 'node:test'
import assert from 'node:assert/strict'
import {expectExit, hapair} from './cli.js'
import {describeChain, killInEachStep} from './interrupt-chain.js'
import {clusterFileVariant, haLogTails, onGuest as on, requireCluster} from './lab-suite.js'
import {VIP} from '../../src/lab/index.js'

/** Stops the service on both nodes and wipes what DRBD and the filesystem kept on the partition. */
async function wipeReplicatedDisks(): Promise<void> {
  // The standby first, so the active node's release is not followed by a takeover there.
  await on('node2', 'systemctl stop keepalived')
  await on('node1', 'systemctl stop keepalived')
  // The release runs as a transient unit of its own (notify.sh): wait for it to let DRBD go.
  await on('node1', 'for i in $(seq 120); do drbdadm role r0 | grep -q "^Secondary/" && ! findmnt -n /data >/dev/null && exit 0; sleep 0.5; done; exit 1')
  for (const node of ['node1', 'node2']) {
    await on(node, [
      'drbdadm down r0',
      'drbdadm -- --force wipe-md r0 >/dev/null',
      'dd if=/dev/zero of=/dev/vdb1 bs=1M count=8 oflag=direct status=none',
      ': >/var/log/hapair-ha.log',
      'rm -rf /run/hapair',
      // The kernel log then holds only this suite's DRBD history (counted below).
      'dmesg -C',
    ].join(' && '))
  }
}

before(async () => {
  await requireCluster()
  await wipeReplicatedDisks()
})

test('node2 with the higher priority: from empty replicated disks, DRBD Primary, the VIP and NFS all start on node2', async () => {
  const file = clusterFileVariant((yaml) => {
    const out = yaml.replace(/( {2}- name: node2\n {4}address: [^\n]+\n)/, '$1    priority: 110\n')
    assert.notEqual(out, yaml, 'the lab cluster file no longer has the node2 entry this test edits')
    return out
  })
  const chain = await killInEachStep(['run', 'nfs-keepalived'], ['drbd.metadata', 'drbd.primary'], {configFile: file, timeoutMs: 20 * 60_000})
  console.log(describeChain(chain))
  assert.deepEqual(chain.interruptions.map((i) => i.step), ['drbd.metadata', 'drbd.primary'], 'a run was not killed while its step applied')
  // Forced once, on node2, and one full sync from it: a second primary --force or create-md shows here.
  const kernel = async (node: string, what: string) => Number(await on(node, `dmesg | grep -c '${what}' || true`))
  assert.equal(await kernel('node2', 'Forced to consider local data as UpToDate'), 1, 'primary --force did not run exactly once on node2')
  assert.equal(await kernel('node1', 'Forced to consider local data as UpToDate'), 0, 'primary --force ran on node1')
  assert.equal(await kernel('node2', 'full sync required'), 1, 'not exactly one full sync from node2')

  const status = expectExit(await hapair(['status', '--json'], {configFile: file}), 0, 'status')
  assert.equal(status.json.primary, 'node2', `DRBD Primary is not the preferred node\n${await haLogTails()}`)
  assert.equal(status.json.vipHolder, 'node2', `the VIP is not on the preferred node\n${await haLogTails()}`)
  assert.match(await on('node2', `ip -4 -o addr show dev eth0; findmnt -n -o SOURCE /data; cat /proc/fs/nfsd/threads`), new RegExp(`inet ${VIP.replaceAll('.', '\\.')}/[\\s\\S]*/dev/drbd0\\n[1-9]`))
  assert.equal(await on('node1', 'findmnt -n /data || true'), '', 'node1, the standby, has /data mounted')
  // The first takeover happened on node2: its HA log has a master call, node1's none.
  assert.match(await on('node2', 'cat /var/log/hapair-ha.log'), / master: serving:/)
  assert.doesNotMatch(await on('node1', 'cat /var/log/hapair-ha.log 2>/dev/null || true'), / master: serving:/)

  assert.deepEqual(expectExit(chain.final, 0, 'second run (node2 preferred)').json.steps.filter((s: {status: string}) => s.status === 'changed').map((s: {id: string}) => s.id), [])
})
