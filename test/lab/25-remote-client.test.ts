/**
 * The drill's remote client (`drill.client: {name, address, ssh}`) against real kernel NFS: the
 * transport mounts the VIP's export with the client machine's kernel NFS client, writes every
 * record O_SYNC + fsync, reads back O_DIRECT, and unmounts at the end.
 *
 * The host running the suite has no kernel NFS client, and the cluster file refuses a cluster node
 * as the drill client, so here the standby (node2) stands in for the client machine and the
 * transport is driven directly, through the same ClientWriter the drills use, while the active
 * node's NFS server restarts under it. What this proves: the mount options are accepted, acked
 * records are on the server's disk, the client recovers from a server restart, and nothing is left
 * mounted afterwards. What it does not: a failover drill end to end with the client elsewhere.
 *
 * The restart is kept from becoming a failover: in one full run check-nfs caught the server down
 * mid-restart, gave up, and the service failed over onto node2, i.e. under this stand-in client;
 * that run counted acknowledged records missing afterwards, some written before the failover.
 * Unexplained so far (a client on a cluster node is refused by the validator, and a kernel client
 * of its own server is an unsupported NFS set-up), and followed up in the issue notes.
 */
import {test, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {guestExec} from '../../src/lab/index.js'
import {shq} from '../../src/facts/fact.js'
import {ClientWriter, nfsUrl} from '../../src/drills/client-writer.js'
import {HA_LOCK_PATH} from '../../src/templates/scripts/paths.js'
import {remoteKernelNfs} from '../../src/drills/remote-kernel-nfs.js'
import {accountWrites, listingScript, parseListing} from '../../src/drills/records.js'
import type {Host} from '../../src/transport/host.js'
import {onGuest as on, requireCluster} from './lab-suite.js'

const VIP = '192.168.77.100'
const EXPORT = '/data'
const DIR = `${EXPORT}/.hapair-drill/remote-client-${process.pid}`

/** A Host over the lab's own ssh into a guest: the transport only needs `run`. */
function labHost(node: string, address: string): Host {
  return {
    node,
    address,
    async run(script, opts = {}) {
      const started = Date.now()
      const r = await guestExec(node, `bash -c ${shq(script)}`, {timeoutMs: opts.timeoutMs ?? 60_000})
      return {node, label: opts.label ?? '', code: r.code, stdout: r.stdout, stderr: r.stderr, durationMs: Date.now() - started}
    },
    close: async () => {},
  }
}

const drillMounts = () => on('node2', 'grep " /run/hapair-drill" /proc/mounts || true')

before(async () => {
  await requireCluster()
  // node1 serves (preferred, preempt); the records directory is made there, as the drills do.
  await on('node1', `mountpoint -q ${EXPORT} && mkdir -p ${shq(DIR)}`)
})

after(async () => {
  await guestExec('node1', `rm -rf -- ${shq(DIR)}`, {timeoutMs: 60_000}).catch(() => undefined)
})

test('remote client: fsync-ed writes through a kernel NFS mount survive an NFS server restart, and the mount is removed at the end', async () => {
  const transport = remoteKernelNfs(labHost('node2', '192.168.77.12'), {exportPath: EXPORT})
  const writer = new ClientWriter({transport, dirUrl: nfsUrl(VIP, DIR), intervalMs: 100, timeoutMs: 5000})
  let mountLine = ''
  try {
    writer.start()
    const acks = async (n: number, withinMs: number) => {
      const end = Date.now() + withinMs
      while (writer.acked.size < n && Date.now() < end) await new Promise((r) => setTimeout(r, 200))
      return writer.acked.size
    }
    assert.ok((await acks(5, 60_000)) >= 5, `no acknowledged writes before the restart: ${JSON.stringify(writer.attempts.slice(-3))}`)
    mountLine = await drillMounts()
    const before = writer.acked.size
    // Under the HA lock, as a transition would: check-nfs does not judge while it is held, so the
    // restart stays a restart and does not become a failover onto node2, where this stand-in client
    // would then be a client of its own NFS server (see the module comment).
    await on('node1', `flock ${HA_LOCK_PATH} systemctl restart nfs-server`)
    assert.ok((await acks(before + 5, 90_000)) >= before + 5, `the client did not write again after the restart: ${JSON.stringify(writer.attempts.slice(-3))}`)
  } finally {
    await writer.stop()
    await transport.close()
  }

  // The mount was NFSv3 with the synchronous options the transport promises.
  assert.match(mountLine, / nfs /, `no NFS mount of the export on node2 while writing: ${mountLine}`)
  assert.match(mountLine, /vers=3/)
  assert.match(mountLine, /\bsync\b/)
  assert.match(mountLine, /\bsoft\b/)

  // Every acknowledged record is on the server's disk, intact; the read-backs matched too.
  const {lost, corrupted} = accountWrites(writer.acked, parseListing(await on('node1', listingScript(DIR))))
  assert.deepEqual(lost, [], 'acknowledged records missing on the server')
  assert.deepEqual(corrupted, [])
  assert.deepEqual(writer.readBackProblems, [])

  // close() left nothing mounted and no mount directory behind.
  assert.equal(await drillMounts(), '')
  assert.equal(await on('node2', 'ls -d /run/hapair-drill.* 2>/dev/null || true'), '')
})
