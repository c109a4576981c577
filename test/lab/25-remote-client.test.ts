/**
 * The drill's remote client (`drill.client: {name, address, ssh}`) against real kernel NFS, from
 * the lab's third guest (client1, not a cluster node): the transport mounts the VIP's export with
 * client1's kernel NFS client, writes every record O_SYNC + fsync, reads back O_DIRECT, and
 * unmounts at the end.
 *
 * First the transport alone, through the same ClientWriter the drills use, while the active node's
 * NFS server restarts under it: the mount options are accepted, acked records are on the server's
 * disk, the client recovers, and nothing is left mounted. Then a whole failover drill from the
 * CLI with the cluster file naming client1 as the drill client.
 *
 * The restart is done under the HA lock, as a transition would, so that check-nfs cannot turn it
 * into a failover: that belongs to the drill, which waits for the cluster to heal after it.
 */
import {test, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {DRILL_CLIENT, drillClientDown, drillClientUp, drillClientYaml, guestExec, VIP} from '../../src/lab/index.js'
import {shq} from '../../src/facts/fact.js'
import {ClientWriter, nfsUrl} from '../../src/drills/client-writer.js'
import {HA_LOCK_PATH} from '../../src/templates/scripts/paths.js'
import {remoteKernelNfs} from '../../src/drills/remote-kernel-nfs.js'
import {accountWrites, listingScript, parseListing} from '../../src/drills/records.js'
import type {Host} from '../../src/transport/host.js'
import {expectExit, hapair} from './cli.js'
import {clusterFileVariant, haLogTails, onGuest as on, requireCluster} from './lab-suite.js'

const EXPORT = '/data'
const DIR = `${EXPORT}/.hapair-drill/remote-client-${process.pid}`

/**
 * A Host over the lab's own ssh into a guest: the transport only needs `run`. A command still
 * running at its timeout is killed and rejected, as SshHost does, rather than passed on as the
 * killed ssh's exit status.
 */
function labHost(node: string, address: string): Host {
  return {
    node,
    address,
    async run(script, opts = {}) {
      const started = Date.now()
      const timeoutMs = opts.timeoutMs ?? 60_000
      const r = await guestExec(node, `bash -c ${shq(script)}`, {timeoutMs})
      const durationMs = Date.now() - started
      if (r.code === 128 && durationMs >= timeoutMs) throw new Error(`"${opts.label}" did not finish within ${timeoutMs} ms; it was stopped`)
      return {node, label: opts.label ?? '', code: r.code, stdout: r.stdout, stderr: r.stderr, durationMs}
    },
    close: async () => {},
  }
}

const CLIENT = DRILL_CLIENT.name
const drillMounts = () => on(CLIENT, 'grep " /run/hapair-drill" /proc/mounts || true')

before(async () => {
  await requireCluster()
  await drillClientUp()
  // node1 serves (preferred, preempt); the records directory is made there, as the drills do.
  await on('node1', `mountpoint -q ${EXPORT} && mkdir -p ${shq(DIR)}`)
})

after(async () => {
  await guestExec('node1', `rm -rf -- ${shq(DIR)}`, {timeoutMs: 60_000}).catch(() => undefined)
  await drillClientDown()
})

test('remote client: fsync-ed writes through a kernel NFS mount survive an NFS server restart, and the mount is removed at the end', async () => {
  const transport = remoteKernelNfs(labHost(CLIENT, DRILL_CLIENT.address), {exportPath: EXPORT})
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
    // restart stays a restart (see the module comment).
    await on('node1', `flock ${HA_LOCK_PATH} systemctl restart nfs-server`)
    assert.ok((await acks(before + 5, 90_000)) >= before + 5, `the client did not write again after the restart: ${JSON.stringify(writer.attempts.slice(-3))}`)
  } finally {
    await writer.stop()
    await transport.close()
  }

  // The mount was NFSv3 with the synchronous options the transport promises.
  assert.match(mountLine, / nfs /, `no NFS mount of the export on ${CLIENT} while writing: ${mountLine}`)
  assert.match(mountLine, /vers=3/)
  assert.match(mountLine, /\bsync\b/)
  assert.match(mountLine, /\bsoft\b/)

  // Every acknowledged record is on the server's disk, intact. A read-back may fail to come back
  // while the server restarts (a drill reports those as notes; the final check decides), but one
  // that came back must match what was written.
  const {lost, corrupted} = accountWrites(writer.acked, parseListing(await on('node1', listingScript(DIR))))
  assert.deepEqual(lost, [], 'acknowledged records missing on the server')
  assert.deepEqual(corrupted, [])
  assert.deepEqual(writer.readBackProblems.filter((p) => !p.error.startsWith('read back failed')), [])
  if (writer.readBackProblems.length) console.log(`read-backs that did not come back during the restart: ${JSON.stringify(writer.readBackProblems)}`)

  // close() left nothing mounted and no mount directory behind.
  assert.equal(await drillMounts(), '')
  assert.equal(await on(CLIENT, 'ls -d /run/hapair-drill.* 2>/dev/null || true'), '')
})

test('failover-test with drill.client: client1 writes through the VIP across a real failover, loses nothing, and is left with no mount', async () => {
  const file = clusterFileVariant((yaml) => `${yaml}${drillClientYaml()}\n`)
  const r = await hapair(['failover-test', 'stop-ha', '--json'], {configFile: file, timeoutMs: 15 * 60_000})
  assert.ok(r.json, `failover-test printed no JSON (exit ${r.code}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-3000)}`)
  const result = (r.json.data ?? r.json).drills[0]
  console.log(`stop-ha from ${CLIENT}: ${result.status}; stall ${result.timeline?.stallMs} ms; writes ${result.writes?.acknowledged} acked, lost ${JSON.stringify(result.writes?.lost)}; ${result.failures.join('; ')}`)
  if (result.status !== 'passed') console.log(await haLogTails())
  assert.equal(result.status, 'passed', result.failures.join('; '))
  expectExit(r, 0, 'failover-test stop-ha with a drill client')
  assert.match(result.writes.writer, new RegExp(`kernel NFS client on ${CLIENT}`))
  assert.ok(result.writes.acknowledged > 0, 'the client wrote nothing')
  assert.deepEqual(result.writes.lost, [])
  assert.deepEqual(result.writes.corrupted, [])
  assert.equal(result.writes.verified, true)
  assert.equal(result.heal.healthy, true, JSON.stringify(result.heal.leftovers))
  // This is the suite's stop-ha drill (30-drills runs the others): the same judgement as there.
  assert.ok(result.timeline.stallMs === null || result.timeline.stallMs <= result.expectation.maxStallMs)
  assert.equal(await drillMounts(), '')
})
