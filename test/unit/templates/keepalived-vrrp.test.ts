/**
 * The rendered keepalived.conf, notify.sh and check-nfs.sh under REAL keepalived: two keepalived
 * processes in two network namespaces joined by a veth speak VRRP (unicast, auth PASS) and move
 * the VIP for real; the scripts run for real, against stub DRBD/NFS/mount tools whose state lives
 * in files (ha-script-harness.ts), with each node's "peer role" linked to the other node's role.
 *
 * What this proves before the lab: the VRRP instance elects the preferred node, the notify calls
 * arrive in an order the scripts handle, a stop hands DRBD over without a dual primary, preempt
 * and nopreempt behave as configured, and a dead NFS server (weight 0 check) puts the node in
 * FAULT so the peer takes over. What it cannot prove: real DRBD, mounts and nfsd (the lab does).
 *
 * Needs root, keepalived and network namespaces; skipped otherwise.
 */
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {existsSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {testCluster} from '../../helpers/cluster.js'
import {renderKeepalivedConf} from '../../../src/templates/keepalived.js'
import {nfsKeepalivedParts} from '../../../src/templates/keepalived-nfs.js'
import {renderNotifyScript} from '../../../src/templates/scripts/notify.js'
import {renderCheckScript} from '../../../src/templates/scripts/check-nfs.js'
import {CHECK_SCRIPT_PATH, NOTIFY_SCRIPT_PATH} from '../../../src/templates/scripts/paths.js'
import {requirePrereq, skipUnlessCI} from '../../helpers/prereq.js'
import {makeHarness, someBlockDevice, type Harness} from './ha-script-harness.js'

const device = someBlockDevice()
const can =
  process.getuid?.() === 0 &&
  spawnSync('keepalived', ['--version']).status === 0 &&
  spawnSync('ip', ['netns', 'list']).status === 0 &&
  device !== undefined
const missing = can ? false : 'needs root, keepalived, ip netns and a block device'
const skip = skipUnlessCI(missing)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(what: string, pred: () => boolean, timeoutMs = 30_000): Promise<number> {
  const start = Date.now()
  while (Date.now() - start < timeoutMs) {
    if (pred()) return Date.now() - start
    await sleep(100)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`)
}

class Pair {
  readonly ns: string[]
  readonly h: Harness[]
  readonly proc: (ChildProcess | undefined)[] = [undefined, undefined]
  private readonly confs: string[]

  constructor(
    tag: string,
    overrides: Parameters<typeof testCluster>[0],
  ) {
    const {config, secrets} = testCluster(overrides)
    // Not "hapair-*": the lab owns that prefix and may clean such namespaces up.
    this.ns = [`kavrrp-${tag}1-${process.pid}`, `kavrrp-${tag}2-${process.pid}`]
    this.h = config.nodes.map(() => makeHarness(device!, {realIp: true, vip: config.vip.address}))
    this.h[0].linkPeer(this.h[1])
    this.h[1].linkPeer(this.h[0])
    this.confs = config.nodes.map((node, i) => {
      const h = this.h[i]
      const notify = h.install('notify.sh', renderNotifyScript(config, 'apt'))
      const check = h.install('check-nfs.sh', renderCheckScript(config, 'apt'))
      const conf = renderKeepalivedConf(config, secrets, node, nfsKeepalivedParts()).replaceAll(NOTIFY_SCRIPT_PATH, notify).replace(CHECK_SCRIPT_PATH, check)
      const file = join(h.dir, 'keepalived.conf')
      writeFileSync(file, conf)
      return file
    })
    const sh = (cmd: string) => {
      const r = spawnSync('bash', ['-c', cmd], {encoding: 'utf8'})
      if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`)
    }
    sh(`ip netns add ${this.ns[0]} && ip netns add ${this.ns[1]}`)
    const [a, b] = [`hpt${tag}a${process.pid % 10000}`, `hpt${tag}b${process.pid % 10000}`]
    sh(`ip link add ${a} netns ${this.ns[0]} type veth peer name ${b} netns ${this.ns[1]}`)
    sh(`ip -n ${this.ns[0]} link set ${a} name eth0 && ip -n ${this.ns[1]} link set ${b} name eth0`)
    config.nodes.forEach((n, i) => sh(`ip -n ${this.ns[i]} link set lo up && ip -n ${this.ns[i]} link set eth0 up && ip -n ${this.ns[i]} addr add ${n.address}/24 dev eth0`))
  }

  start(i: number): void {
    const h = this.h[i]
    const out = openSync(join(h.dir, 'keepalived.out'), 'a')
    this.proc[i] = spawn(
      'keepalived',
      ['-s', this.ns[i], '-f', this.confs[i], '-P', '-n', '-l', '-G', '-p', join(h.dir, 'k.pid'), '-r', join(h.dir, 'v.pid')],
      {stdio: ['ignore', out, out]},
    )
  }

  async stop(i: number): Promise<void> {
    const p = this.proc[i]
    if (!p || p.exitCode !== null || p.signalCode !== null) return
    const exited = new Promise((r) => p.once('exit', r))
    p.kill('SIGTERM')
    const kill = setTimeout(() => p.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(kill)
  }

  /** SIGKILL of every keepalived process of node i (what `kill-ha` does through systemd): no notify_stop runs. */
  async kill(i: number): Promise<void> {
    const p = this.proc[i]
    const exited = p && p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : Promise.resolve()
    spawnSync('pkill', ['-KILL', '-f', '--', this.confs[i]])
    await exited
    // The killed VRRP child may linger as a zombie (this sandbox's init may not reap it); its pid
    // file would make the restarted keepalived say "daemon is already running". systemd has no such
    // leftovers: it reaps the whole cgroup before Restart=.
    for (const f of ['k.pid', 'v.pid']) rmSync(join(this.h[i].dir, f), {force: true})
  }

  holdsVip(i: number): boolean {
    return spawnSync('ip', ['-n', this.ns[i], '-4', '-o', 'addr', 'show', 'dev', 'eth0'], {encoding: 'utf8'}).stdout.includes(' inet 192.168.77.100/')
  }

  /** Holds the whole service: VIP, DRBD Primary, mounted, NFS running. */
  serving(i: number): boolean {
    const h = this.h[i]
    return this.holdsVip(i) && h.read('role-local') === 'Primary' && h.mounts().length === 2 && h.active().includes('nfs-server')
  }

  /** Holds nothing. */
  idle(i: number): boolean {
    const h = this.h[i]
    return !this.holdsVip(i) && h.read('role-local') === 'Secondary' && h.mounts().length === 0 && !h.active().includes('nfs-server')
  }

  bothPrimary(): boolean {
    return this.h[0].read('role-local') === 'Primary' && this.h[1].read('role-local') === 'Primary'
  }

  logs(): string {
    const tail = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-15).join('\n') : '')
    return this.h.map((h, i) => `--- node${i + 1} ha log\n${tail(h.log)}\n--- node${i + 1} keepalived\n${tail(join(h.dir, 'keepalived.out'))}`).join('\n')
  }

  async close(): Promise<void> {
    await this.stop(0)
    await this.stop(1)
    for (const ns of this.ns) spawnSync('ip', ['netns', 'del', ns])
    for (const h of this.h) h.cleanup()
  }
}

/** Watches for a dual primary while a scenario runs. */
function watchDualPrimary(pair: Pair): {stop(): boolean} {
  let seen = false
  const t = setInterval(() => {
    if (pair.bothPrimary()) seen = true
  }, 50)
  // A test that fails before stop() must not keep the process alive (the runner would wait forever).
  t.unref()
  return {
    stop() {
      clearInterval(t)
      return seen
    },
  }
}

describe('keepalived + notify/check scripts, preempt (the seed drill)', {skip, timeout: 180_000}, () => {
  before(() => requirePrereq(missing))
  let pair: Pair
  before(() => {
    pair = new Pair('p', {})
  })
  after(async () => {
    await pair?.close()
  })

  it('node1 (priority 100) takes the service when both start', async () => {
    pair.start(0)
    await sleep(300)
    pair.start(1)
    await until('node1 serving', () => pair.serving(0)).catch((e) => assert.fail(`${e.message}\n${pair.logs()}`))
    await until('node2 idle', () => pair.idle(1))
  })

  it('stopping keepalived on node1 moves DRBD, mount and NFS to node2, never two primaries', async () => {
    const watch = watchDualPrimary(pair)
    await pair.stop(0)
    const ms = await until('node2 serving', () => pair.serving(1)).catch((e) => assert.fail(`${e.message}\n${pair.logs()}`))
    assert.ok(pair.idle(0), `node1 released everything\n${pair.logs()}`)
    assert.equal(watch.stop(), false, 'no moment with both nodes DRBD Primary')
    assert.ok(ms < 15_000, `took ${ms} ms`)
    assert.match(readFileSync(pair.h[0].log, 'utf8'), / stop: released: NFS stopped/)
  })

  it('node1 coming back takes the service back (preempt)', async () => {
    const watch = watchDualPrimary(pair)
    pair.start(0)
    await until('node1 serving again', () => pair.serving(0)).catch((e) => assert.fail(`${e.message}\n${pair.logs()}`))
    await until('node2 idle again', () => pair.idle(1))
    assert.equal(watch.stop(), false, 'no moment with both nodes DRBD Primary')
  })

  it('keepalived SIGKILLed on node1 and restarted a second later (systemd Restart=on-failure): node1 keeps the service, nothing is released', async () => {
    const h = pair.h[0]
    h.clearCalls()
    const watch = watchDualPrimary(pair)
    const peerOut = join(pair.h[1].dir, 'keepalived.out')
    const peerOutSize = readFileSync(peerOut, 'utf8').length
    await pair.kill(0)
    await sleep(1000)
    pair.start(0)
    // The restarted keepalived starts as BACKUP; elected again (preempt, priority 100) within a few
    // advert intervals, while node2 may be MASTER in between.
    const logSize = readFileSync(h.log, 'utf8').length
    const newLog = () => readFileSync(h.log, 'utf8').slice(logSize)
    await until('node1 back as MASTER after the backup call', () => /backup: end/.test(newLog()) && pair.holdsVip(0), 20_000).catch((e) => assert.fail(`${e.message}\n${pair.logs()}`))
    await until('node1 serving, node2 idle', () => / master: end/.test(newLog()) && pair.serving(0) && pair.idle(1), 40_000).catch((e) => assert.fail(`${e.message}\n${pair.logs()}`))
    assert.equal(watch.stop(), false, 'no moment with both nodes DRBD Primary')
    // On a busy machine the restart can come later than node2's master-down timer (3 adverts plus
    // skew): node2 then took the service, and node1 had to release and take it back. That is the
    // other correct outcome, judged by the end state above; the quiet path is judged only when
    // node2 never became MASTER.
    const peerTookOver = /Entering MASTER STATE/.test(readFileSync(peerOut, 'utf8').slice(peerOutSize))
    if (peerTookOver) {
      assert.match(newLog(), / master: serving:/, `node1 took the service back\n${pair.logs()}`)
      return
    }
    const released = h.calls().filter((c) => /^(drbdadm secondary|umount|systemctl stop)/.test(c))
    assert.deepEqual(released, [], `node1 released something it then had to take back:\n${pair.logs()}`)
    assert.match(newLog(), /keepalived was restarted while this node serves: waiting up to 5 s/)
    assert.match(newLog(), /MASTER again: keeping the service/)
  })

  it('a dead NFS server that will not restart puts node1 in FAULT and node2 takes over', async () => {
    const h = pair.h[0]
    // node2 starts this scenario as a healthy standby. On a loaded machine the previous scenario's
    // restarted keepalived may miss three adverts: node2 then became MASTER, refused (node1 still
    // Primary) and holds itself in FAULT for 120 s, longer than this scenario waits. That hold-down
    // belongs to the previous scenario; clear it rather than depend on how fast the machine is.
    rmSync(join(pair.h[1].runDir, 'gave-up'), {force: true})
    writeFileSync(join(h.stateDir, 'nfs-broken'), '')
    spawnSync('rm', ['-f', join(h.stateDir, 'active', 'nfs-server')])
    writeFileSync(join(h.stateDir, 'threads'), '0')
    await until('node2 serving', () => pair.serving(1), 40_000).catch((e) => assert.fail(`${e.message}\n${pair.logs()}`))
    await until('node1 idle', () => pair.idle(0))
    const log = readFileSync(h.log, 'utf8')
    assert.match(log, / check: NFS server is not running: restarting it once/)
    assert.match(log, / check: NFS server still not running after a restart: giving up the VIP/)
    assert.match(log, / fault: released/)
    // Held in FAULT: node1 does not preempt back while the hold-down lasts.
    await sleep(4000)
    assert.ok(pair.serving(1) && pair.idle(0), pair.logs())
    assert.match(readFileSync(join(h.dir, 'keepalived.out'), 'utf8'), /Entering FAULT STATE/)
  })
})

describe('keepalived + notify/check scripts, nopreempt', {skip, timeout: 120_000}, () => {
  before(() => requirePrereq(missing))
  let pair: Pair
  before(() => {
    pair = new Pair('n', {keepalived: {virtualRouterId: 52, preempt: false}})
  })
  after(async () => {
    await pair?.close()
  })

  it('after a failover to node2, node1 returns as standby and node2 keeps the service', async () => {
    pair.start(0)
    await sleep(300)
    pair.start(1)
    await until('node1 serving', () => pair.serving(0)).catch((e) => assert.fail(`${e.message}\n${pair.logs()}`))
    await pair.stop(0)
    await until('node2 serving', () => pair.serving(1)).catch((e) => assert.fail(`${e.message}\n${pair.logs()}`))
    pair.start(0)
    // Three advert intervals and then some: time enough to preempt, were it allowed.
    await sleep(6000)
    assert.ok(pair.serving(1), `node2 still serving\n${pair.logs()}`)
    assert.ok(pair.idle(0), `node1 standby\n${pair.logs()}`)
  })
})
