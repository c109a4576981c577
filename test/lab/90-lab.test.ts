/**
 * The lab, for real: two QEMU guests, the namespace network, every fault, then teardown.
 * Never skips: without root or the host tools it fails and says what is missing.
 * Takes minutes (a first run builds the base image).
 */
import {test, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {spawnSync} from 'node:child_process'
import {
  labDown, labStatus, guestExec, clientExec, missingPrerequisites, labPaths, addNamespaceNode,
  namespaceNodeExec, pause, resume, linkDown, linkUp, splitBrain, heal, ALL_GUESTS, GUESTS,
  type LabUpResult,
} from '../../src/lab/index.js'
import {listNamespaces} from '../../src/lab/network.js'
import {isAlive} from '../../src/lab/process.js'
import {run} from '../../src/lab/run.js'
import {onGuest as on, requireBlankLab} from './lab-suite.js'
import {BIN} from './cli.js'

const paths = labPaths()
let lab: LabUpResult
let started = false


/** ping from a guest; true when the peer answered. */
async function pings(from: string, to: string): Promise<boolean> {
  return (await guestExec(from, `ping -c 2 -W 1 -i 0.3 ${to} >/dev/null`, {timeoutMs: 30_000})).code === 0
}

/** ping from the client namespace (busybox's: the host needs no iputils). */
async function clientPings(to: string): Promise<boolean> {
  return (await clientExec(['busybox', 'ping', '-c', '1', '-w', '3', to], {timeoutMs: 30_000})).code === 0
}

before(async () => {
  // Asserted, not skipped: a machine that cannot run the lab fails this suite loudly.
  const missing = missingPrerequisites({build: true})
  assert.deepEqual(missing, [], `the lab suite cannot run here; missing:\n  ${missing.join('\n  ')}`)
  started = true
  lab = await requireBlankLab()
})

after(async () => {
  // Teardown even after a failure (a boot that timed out too), so a broken run leaves nothing behind.
  if (started) await labDown()
})

test('lab up wrote a cluster file, key and known_hosts for both guests and the drill client', () => {
  assert.ok(existsSync(lab.clusterFile))
  const text = readFileSync(lab.clusterFile, 'utf8')
  assert.match(text, /address: 192\.168\.77\.11/)
  assert.match(text, /knownHostsFile: /)
  const known = readFileSync(paths.knownHosts, 'utf8').trim().split('\n')
  assert.deepEqual(known.map((l) => l.split(' ')[0]), ALL_GUESTS.map((g) => g.address))
  assert.doesNotMatch(text, /client1/, 'the drill client is not a cluster node')
  console.log(`lab: build ${lab.buildMs} ms (cached ${lab.cached}), boot ${lab.bootMs} ms, reused ${lab.reused}`)
})

test('ssh with the lab key and pinned host keys; hostnames are node1 and node2', async () => {
  for (const g of GUESTS) assert.equal(await on(g.name, 'uname -n'), g.name)
})

test('a wrong known_hosts is refused (host keys really are checked)', async () => {
  const r = await clientExec(['ssh', '-F', '/dev/null', '-i', paths.key, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes',
    '-o', 'UserKnownHostsFile=/dev/null', '-o', 'GlobalKnownHostsFile=/dev/null', 'root@192.168.77.11', 'true'], {timeoutMs: 30_000})
  assert.notEqual(r.code, 0)
  assert.match(r.stderr, /Host key verification failed/)
})

test('the Debian kernel loads drbd (8.4), nfsd and ip_vs in both guests', async () => {
  for (const g of GUESTS) {
    await on(g.name, 'modprobe drbd && modprobe nfsd && modprobe ip_vs')
    assert.match(await on(g.name, 'cat /proc/drbd'), /version: 8\.4\./)
  }
})

test('/dev/vdb is a blank 256 MiB disk in both guests', async () => {
  for (const g of GUESTS) {
    assert.equal(await on(g.name, 'blockdev --getsize64 /dev/vdb'), String(256 * 1024 * 1024))
    assert.equal(await on(g.name, 'head -c 4194304 /dev/vdb | tr -d "\\000" | wc -c'), '0')
    assert.equal(await on(g.name, 'blkid -p /dev/vdb; echo $?'), '2', 'no signature on /dev/vdb')
  }
})

test('HA packages are not installed but resolve offline from the local repository', async () => {
  for (const g of GUESTS) {
    assert.equal(await on(g.name, 'dpkg-query -W -f "\\${Status}" drbd-utils 2>/dev/null || echo absent'), 'absent')
    assert.equal(await on(g.name, 'grep -rh "^deb" /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null'), 'deb [trusted=yes] file:/var/local/hapair-repo ./')
    const sim = await on(g.name, 'apt-get update -q >/dev/null && apt-get install --simulate -y drbd-utils keepalived heartbeat pacemaker crmsh pcs corosync resource-agents nfs-kernel-server ipvsadm parted xfsprogs chrony')
    assert.match(sim, /^Inst drbd-utils /m)
    assert.match(sim, /^Inst pacemaker /m)
    assert.doesNotMatch(sim, /^E: /m)
  }
})

test('the client namespace reaches both guests; there is no route out anywhere', async () => {
  for (const g of GUESTS) assert.ok(await clientPings(g.address), `client -> ${g.name}`)
  assert.equal((await clientExec(['ip', 'route', 'show', 'default'])).stdout.trim(), '')
  for (const g of GUESTS) assert.equal(await on(g.name, 'ip route show default'), '')
})

test('a namespace node on the bridge serves HTTP to the client and the guests', async () => {
  const rs = await addNamespaceNode({name: 'rs1', address: '192.168.77.21', httpBody: 'hello from rs1\n'})
  assert.ok(rs.pid && isAlive(rs.pid))
  assert.ok(await clientPings('192.168.77.21'))
  assert.ok(await pings('node1', '192.168.77.21'))
  const r = await clientExec(['busybox', 'wget', '-q', '-O', '-', 'http://192.168.77.21/'], {timeoutMs: 15_000})
  assert.equal(r.stdout, 'hello from rs1\n')
  assert.equal((await namespaceNodeExec('rs1', ['ip', '-br', 'addr', 'show', 'eth0'])).stdout.includes('192.168.77.21/24'), true)
})

test('split brain: node1 cannot reach node2, the client still reaches both; heal restores', async () => {
  assert.ok(await pings('node1', '192.168.77.12'))
  await splitBrain()
  try {
    assert.equal(await pings('node1', '192.168.77.12'), false, 'node1 -> node2 during split')
    assert.equal(await pings('node2', '192.168.77.11'), false, 'node2 -> node1 during split')
    for (const g of GUESTS) assert.ok(await clientPings(g.address), `client -> ${g.name} during split`)
    assert.equal((await labStatus()).split, true)
  } finally {
    await heal()
  }
  assert.ok(await pings('node1', '192.168.77.12'), 'node1 -> node2 after heal')
  assert.equal((await labStatus()).split, false)
})

test('link down cuts one guest off; link up restores it', async () => {
  await linkDown('node2')
  try {
    assert.equal(await clientPings('192.168.77.12'), false)
    assert.ok(await clientPings('192.168.77.11'))
    assert.notEqual((await guestExec('node2', 'true', {connectTimeout: 3, timeoutMs: 30_000})).code, 0, 'ssh to node2 with its link down')
  } finally {
    await linkUp('node2')
  }
  assert.ok(await clientPings('192.168.77.12'))
  assert.equal(await on('node2', 'uname -n'), 'node2')
})

test('pause freezes a guest and resume brings it back where it was', async () => {
  const before = await on('node1', 'cat /proc/sys/kernel/random/boot_id')
  await pause('node1')
  try {
    assert.equal((await labStatus()).guests[0].state, 'paused')
    assert.equal(await clientPings('192.168.77.11'), false)
  } finally {
    await resume('node1')
  }
  assert.equal((await labStatus()).guests[0].state, 'running')
  assert.equal(await on('node1', 'cat /proc/sys/kernel/random/boot_id'), before, 'same boot after resume')
})

// Power loss and power on (from the same disks) are proven by 30-drills' crash-active: the drill
// powers the active guest off through the lab's hooks, and its heal powers it on and waits for
// it to rejoin with its own DRBD disk (a fresh disk would leave the heal unhealthy). A boot of
// its own here cost half a minute and proved nothing more.

/** `hapair lab ARGS --json` as a user runs it (lab commands take no cluster file). */
function labCli(args: string[]): {code: number; json: any; stderr: string} {
  const r = spawnSync(process.execPath, [BIN, 'lab', ...args, '--json'], {encoding: 'utf8', env: {...process.env, CI: 'true', FORCE_COLOR: '0'}, timeout: 10 * 60_000})
  let json: any
  try {
    json = JSON.parse(r.stdout)
  } catch {
    json = undefined
  }
  return {code: r.status ?? 1, json, stderr: r.stderr + r.stdout}
}

test('lab checkpoint from the CLI: save, list with disk use, restore brings back the saved moment; a missing name exits 2', async () => {
  await on('node1', 'echo saved >/root/moment && sync')
  const saved = labCli(['checkpoint', 'save', 'lab-suite'])
  assert.equal(saved.code, 0, saved.stderr)
  console.log(`lab: checkpoint save ${saved.json.saveMs} ms`)
  await on('node1', 'echo changed >/root/moment && sync')
  const list = labCli(['checkpoint', 'list'])
  const entry = list.json.checkpoints.find((c: any) => c.name === 'lab-suite')
  assert.ok(entry?.restorable && entry.vmStateBytes > 0 && list.json.diskBytes > 0, JSON.stringify(list.json))
  const missing = labCli(['checkpoint', 'restore', 'no-such-checkpoint'])
  assert.equal(missing.code, 2)
  assert.match(missing.json.error.message, /no checkpoint named 'no-such-checkpoint'/)
  assert.equal(await on('node1', 'cat /root/moment'), 'changed', 'a refused restore changed the guest')
  const restored = labCli(['checkpoint', 'restore', 'lab-suite'])
  assert.equal(restored.code, 0, restored.stderr)
  console.log(`lab: checkpoint restore ${restored.json.restoreMs} ms`)
  assert.equal(await on('node1', 'cat /root/moment'), 'saved')
  const skew = Math.abs(Number(await on('node1', 'date +%s')) - Math.round(Date.now() / 1000))
  assert.ok(skew <= 5, `node1's clock is ${skew} s off the host's after the restore`)
})

test('lab down leaves no qemu process, namespace or tap behind; it keeps checkpoints (and their disks and keys) until --purge', async () => {
  const pids = (await labStatus()).guests.map((g) => g.pid).filter((p): p is number => p !== null)
  assert.equal(pids.length, 2)
  const down = await labDown()
  console.log(`lab: teardown ${down.teardownMs} ms`)
  assert.ok(down.keptCheckpoints.includes('lab-suite'), JSON.stringify(down))
  for (const pid of pids) assert.equal(isAlive(pid), false, `qemu ${pid} still alive`)
  const left = (await listNamespaces()).filter((n) => n.startsWith('hapair-'))
  assert.deepEqual(left, [])
  assert.ok(!existsSync(paths.clusterFile))
  for (const g of GUESTS) assert.deepEqual(readdirSync(`${paths.dir}/${g.name}`).sort(), ['data.qcow2', 'root.qcow2', 'ssh_host_ed25519_key', 'ssh_host_ed25519_key.pub'])
  const status = await labStatus()
  assert.equal(status.up, false)
  assert.ok(status.guests.every((g) => g.state === 'off'))
  for (const tap of ['tap1', 'tap2']) assert.notEqual((await run(['ip', 'link', 'show', tap])).code, 0, `${tap} in the host namespace`)

  const restoreWhileDown = labCli(['checkpoint', 'restore', 'lab-suite'])
  assert.equal(restoreWhileDown.code, 2)
  assert.match(restoreWhileDown.json.error.message, /no lab is up/)
  const purged = await labDown({purge: true})
  assert.deepEqual(purged.keptCheckpoints, [])
  for (const g of GUESTS) assert.ok(!existsSync(`${paths.dir}/${g.name}`))
  assert.deepEqual(labCli(['checkpoint', 'list']).json.checkpoints, [])
})
