/**
 * The drill's remote client (`drill.client: {name, address, ssh}`) against real kernel NFS, from
 * the lab's third guest (client1, not a cluster node): a whole failover drill from the CLI with
 * the cluster file naming client1 as the drill client. The transport mounts the VIP's export with
 * client1's kernel NFS client (NFSv3, sync, soft: checked on client1 while the drill writes),
 * writes every record O_SYNC + fsync, reads back O_DIRECT, and unmounts at the end.
 *
 * This is the suite's stop-ha drill (30-drills runs the others), and with preempt its heal is the
 * seed's own drill too: keepalived stopped on node1, node2 serves the same data, keepalived
 * started again and node1 takes the service back. A real failover is a harder outage for the
 * transport than the NFS server restart it was once tested against alone (that cost two minutes
 * and proved nothing this does not).
 */
import {test, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {DRILL_CLIENT, drillClientDown, drillClientUp, drillClientYaml, VIP} from '../../src/lab/index.js'
import {expectExit, hapair} from './cli.js'
import {clusterFileVariant, haLogTails, onGuest as on, requireCluster} from './lab-suite.js'

const CLIENT = DRILL_CLIENT.name
const drillMounts = () => on(CLIENT, 'grep " /run/hapair-drill" /proc/mounts || true')

before(async () => {
  await requireCluster()
  await drillClientUp()
})

after(async () => {
  await drillClientDown()
})

test('failover-test with drill.client: client1 writes through the VIP across a real failover, loses nothing, and is left with no mount', async () => {
  const file = clusterFileVariant((yaml) => `${yaml}${drillClientYaml()}\n`)
  // The transport's mount, seen from client1 while the drill writes: NFSv3 with the synchronous
  // options the transport promises.
  let mountLine = ''
  let drilling = true
  const watchMount = (async () => {
    while (drilling && !mountLine) {
      mountLine = await drillMounts().catch(() => '')
      if (!mountLine) await new Promise((r) => setTimeout(r, 1000))
    }
  })()
  const r = await hapair(['failover-test', 'stop-ha', '--json'], {configFile: file, timeoutMs: 15 * 60_000}).finally(() => (drilling = false))
  await watchMount
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
  assert.match(mountLine, / nfs /, `no NFS mount of the export on ${CLIENT} while the drill wrote`)
  assert.match(mountLine, /vers=3/)
  assert.match(mountLine, /\bsync\b/)
  assert.match(mountLine, /\bsoft\b/)
  // Preempt: the heal started keepalived on node1 again, and node1 took the service back.
  const end = Date.now() + 60_000
  let node1 = ''
  while (Date.now() < end && !(/ro:Primary\//.test(node1) && node1.includes(`inet ${VIP}/`))) {
    node1 = await on('node1', 'cat /proc/drbd; ip -4 -o addr show dev eth0')
    await new Promise((r) => setTimeout(r, 1000))
  }
  assert.match(node1, /ro:Primary\//, 'node1 did not take DRBD Primary back after the heal (preempt)')
  assert.ok(node1.includes(`inet ${VIP}/`), `node1 did not take the VIP back after the heal (preempt):\n${node1}`)
  // close() left nothing mounted and no mount directory behind.
  assert.equal(await drillMounts(), '')
  assert.equal(await on(CLIENT, 'ls -d /run/hapair-drill.* 2>/dev/null || true'), '')
})
