/**
 * The whole drill against a simulated two-node cluster: scripted hosts that answer probes from a
 * state machine (stopping keepalived on the serving node moves service to the peer 300 ms later;
 * starting it again takes it back, as preempt does) and an in-memory NFS export. Every script the
 * drill sends must be one the simulation knows: anything else fails the test.
 */
import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {test} from 'node:test'
import type {TransportResult, RecordTransport} from '../../../src/drills/client-writer.js'
import {realClock} from '../../../src/drills/client-writer.js'
import type {DrillEnv} from '../../../src/drills/env.js'
import {hostFaults} from '../../../src/drills/faults.js'
import type {NodeState} from '../../../src/cluster-state/node-state.js'
import {NOT_SERVING, onNodeRecords} from '../../../src/drills/on-node-records.js'
import {runDrill} from '../../../src/drills/run-drill.js'
import {SCENARIOS} from '../../../src/drills/scenarios/index.js'
import {stackOf} from '../../../src/stacks/registry.js'
import type {ExecOptions, ExecResult, Host} from '../../../src/transport/host.js'
import {drbd, serving, standby, testConfig} from './fixtures.js'
import {probeOutput, rawFor} from './probe-output.js'

/**
 * `fsOnly`: a DRBD filesystem alone under heartbeat (seed 003): no VIP, no nfsd, and the drill
 * writes on the node holding the mount with the on-node scripts, which the simulation answers on
 * the node that is Primary and mounted (the files are the DRBD disk, the same on both nodes).
 */
class SimCluster {
  states: Record<string, NodeState>
  files = new Map<string, string>()
  readonly unit: string
  /** Records to drop from the export when service moves (simulates writes lost in a failover). */
  loseOnMove: string[] = []
  scripts: string[] = []
  private timers: NodeJS.Timeout[] = []

  /** `failsBack`: node1 takes service back when its HA daemon starts again (preempt, auto_failback on). */
  constructor(private readonly fsOnly = false, private readonly failsBack = true) {
    this.unit = fsOnly ? 'heartbeat' : 'keepalived'
    this.states = {node1: this.serving(), node2: this.standby()}
  }

  private serving = () => (this.fsOnly ? serving({vipHeld: false, nfsdThreads: 0}) : serving())
  private standby = () => standby()

  serve(node: string) {
    const other = node === 'node1' ? 'node2' : 'node1'
    this.states[other] = {...this.standby(), haActive: this.states[other].haActive, drbd: drbd('Secondary', 'Primary')}
    this.states[node] = {...this.serving(), haActive: this.states[node].haActive}
    for (const name of this.loseOnMove.splice(0)) this.files.delete(name)
  }

  later(ms: number, fn: () => void) {
    this.timers.push(setTimeout(fn, ms))
  }

  host(node: string): Host {
    return {
      node,
      address: node === 'node1' ? '10.9.0.11' : '10.9.0.12',
      run: async (script: string, opts: ExecOptions = {}): Promise<ExecResult> => {
        this.scripts.push(`${node}: ${opts.label ?? script.split('\n')[0]}`)
        const reply = (stdout = '', code = 0): ExecResult => ({node, label: opts.label ?? '', code, stdout, stderr: '', durationMs: 1})
        const s = this.states[node]
        const other = node === 'node1' ? 'node2' : 'node1'
        if (script.includes('@@hapair-fact')) return reply(probeOutput(rawFor(s), script.includes('Split-Brain detected')))
        if (script === `systemctl stop ${this.unit}`) {
          this.states[node] = {...standby(), haActive: false, drbd: drbd('Secondary', s.drbd?.role ?? 'Secondary')}
          this.later(300, () => this.serve(other))
          return reply()
        }
        if (script.endsWith(`systemctl start ${this.unit}`)) {
          this.states[node] = {...this.states[node], haActive: true}
          if (node === 'node1' && this.failsBack) this.later(300, () => this.serve('node1')) // preempt
          return reply()
        }
        if (script.startsWith("cd -- '/data' ") && script.includes(`exit ${NOT_SERVING}`)) return this.onNode(node, script, reply)
        if (script.startsWith('mkdir -p ')) return reply()
        if (script.startsWith('cd ')) {
          const listing = [...this.files].map(([name, content]) => `${createHash('sha256').update(content).digest('hex')}  ./${name}`)
          return reply(`${listing.join('\n')}\n`)
        }
        if (script.startsWith('rm -rf -- ')) return reply()
        throw new Error(`simulation: unexpected script on ${node}: ${script}`)
      },
      close: async () => {},
    }
  }

  /** An on-node records script: refused where the node does not hold the mount, else done on the shared disk. */
  private onNode(node: string, script: string, reply: (stdout?: string, code?: number) => ExecResult): ExecResult {
    const s = this.states[node]
    if (s.drbd?.role !== 'Primary' || !s.mounted) return {...reply('', NOT_SERVING), stderr: 'not serving here: DRBD r0 is not Primary\n'}
    const name = (op: string) => new RegExp(`${op}='[^']*/(rec-\\d+)'`).exec(script)![1]
    if (script.includes('dd of=')) {
      this.files.set(name('of'), /printf '%s' '([^']*)'/.exec(script)![1])
      return reply()
    }
    if (script.includes('dd if=')) return reply(this.files.get(name('if')) ?? '')
    if (script.includes('ls -1A')) return reply()
    throw new Error(`simulation: unexpected on-node script on ${node}: ${script}`)
  }

  /** The drill client's NFS access: works while exactly one node serves. */
  transport(): RecordTransport {
    const up = () => Object.values(this.states).filter((s) => s.vipHeld && s.mounted && (s.nfsdThreads ?? 0) > 0).length === 1
    const name = (url: string) => /\/(rec-\d+)\?/.exec(url)![1]
    const down: TransportResult = {ok: false, error: 'Failed to mount nfs share : nfs_service failed'}
    return {
      describe: 'simulated NFS',
      write: async (url, content) => (up() ? (this.files.set(name(url), content), {ok: true}) : down),
      read: async (url) => (up() ? {ok: true, stdout: this.files.get(name(url)) ?? ''} : down),
      list: async () => (up() ? {ok: true, stdout: ''} : down),
      close: async () => {},
    }
  }

  stop() {
    this.timers.forEach(clearTimeout)
  }
}

function envFor(sim: SimCluster, fsOnly = false): DrillEnv {
  const config = fsOnly
    ? testConfig({stack: 'heartbeat', service: 'filesystem', nfs: undefined, keepalived: undefined, drill: {writeIntervalMs: 20, timeoutSeconds: 8}})
    : testConfig({drill: {writeIntervalMs: 20, timeoutSeconds: 8}})
  const hosts = {node1: sim.host('node1'), node2: sim.host('node2')}
  const host = (n: string) => hosts[n as 'node1' | 'node2']
  const stack = stackOf(config)
  return {
    config,
    stack,
    faults: hostFaults({config, host, channels: [], allowCrash: false}),
    // As the failover session chooses it (the stack's drillWriter).
    transport: fsOnly ? onNodeRecords({nodes: ['node1', 'node2'], host, resource: config.drbd.resource, device: config.drbd.device, mountPoint: '/data'}) : sim.transport(),
    host,
    reconnect: async (n) => host(n),
    clock: realClock,
    log: () => {},
    pollMs: 20,
    healSettleMs: 1000,
  }
}

const stopHa = SCENARIOS.find((s) => s.id === 'stop-ha')!

test('stop-ha end to end: service moves, the client stalls briefly, every acknowledged record is there, the cluster heals', async () => {
  const sim = new SimCluster()
  try {
    const result = await runDrill(envFor(sim), stopHa, 'run1')
    assert.equal(result.status, 'passed', result.failures.join('\n'))
    assert.equal(result.activeBefore, 'node1')
    assert.equal(result.endedOn, 'node2')
    const t = result.timeline!
    assert.ok(t.vip.changed && t.vip.atMs! >= 250 && t.vip.atMs! < 1500, `VIP moved after ${t.vip.atMs} ms`)
    assert.ok(t.stallMs! >= 250 && t.stallMs! < 1500, `stall ${t.stallMs} ms`)
    assert.ok(t.clientResumedMs !== null)
    assert.equal(t.dualPrimaryMs, 0)
    assert.ok(result.writes!.acknowledged > 20)
    assert.deepEqual(result.writes!.lost, [])
    assert.equal(result.writes!.verified, true)
    assert.equal(result.heal!.healthy, true)
    assert.deepEqual(result.heal!.actions, ['started keepalived on node1'])
    assert.equal(sim.states.node1.vipHeld, true, 'preempt took the service back during heal')
  } finally {
    sim.stop()
  }
})

test('a record acknowledged before the failover and missing afterwards fails the drill by number', async () => {
  const sim = new SimCluster()
  const env = envFor(sim)
  const origInject = stopHa.inject
  const scenario = {...stopHa, inject: async (ctx: Parameters<typeof origInject>[0]) => {
    sim.loseOnMove = [...sim.files.keys()].slice(-1) // the newest acknowledged record never reached the peer
    await origInject(ctx)
  }}
  try {
    const result = await runDrill(env, scenario, 'run2')
    assert.equal(result.status, 'failed')
    assert.equal(result.writes!.lost.length, 1)
    assert.match(result.failures[0], /^1 acknowledged write\(s\) lost: record\(s\) \d+$/)
  } finally {
    sim.stop()
  }
})

test('an unhealthy cluster is refused before anything is done', async () => {
  const sim = new SimCluster()
  sim.states.node2 = standby({drbd: drbd('Secondary', 'Unknown', 'StandAlone', 'UpToDate', 'DUnknown')})
  const result = await runDrill(envFor(sim), stopHa, 'run3')
  assert.equal(result.status, 'refused')
  assert.match(result.failures[0], /not healthy.*\n.*node2: DRBD r0 is not Connected/)
  assert.deepEqual(sim.scripts, ['node1: drill probe', 'node2: drill probe'])
  sim.stop()
})

test('failback end to end: service is first moved off the preferred node, then preempt brings it back', async () => {
  const sim = new SimCluster()
  try {
    const result = await runDrill(envFor(sim), SCENARIOS.find((s) => s.id === 'failback')!, 'run4')
    assert.equal(result.status, 'passed', result.failures.join('\n'))
    assert.equal(result.activeBefore, 'node2')
    assert.equal(result.endedOn, 'node1')
    assert.ok(result.timeline!.vip.changed)
  } finally {
    sim.stop()
  }
})

test('drbd-heartbeat (a filesystem alone) end to end: records written on the node holding the mount, every acknowledged one read back after the takeover', async () => {
  const sim = new SimCluster(true, false) // auto_failback off: the peer keeps the service
  const env = envFor(sim, true)
  assert.equal(env.stack.service.drillWriter, 'on-node')
  assert.equal(env.stack.floatsVip, false)
  let lostOnMove = 0
  const scenario = {...stopHa, inject: async (ctx: Parameters<typeof stopHa.inject>[0]) => {
    lostOnMove = sim.files.size
    await stopHa.inject(ctx)
  }}
  try {
    const result = await runDrill(env, scenario, 'run5')
    assert.equal(result.status, 'passed', result.failures.join('\n'))
    assert.equal(result.activeBefore, 'node1')
    assert.equal(result.endedOn, 'node2')
    assert.ok(lostOnMove >= 3, 'records were written before the fault')
    assert.ok(result.writes!.acknowledged > lostOnMove, 'and after the takeover')
    assert.deepEqual(result.writes!.lost, [])
    assert.equal(result.writes!.verified, true)
    // read back after the heal on the node that took over, which still serves
    assert.equal(result.writes!.verifiedOn, 'node2')
    assert.equal(result.heal!.healthy, true)
    assert.match(result.writes!.writer, /on the node holding \/data over SSH/)
    assert.equal(result.timeline!.vip.atMs, null, 'no VIP anywhere')
    // writes went to node1 until the takeover, then to node2; the drill directory is under the mount point
    const writes = sim.scripts.filter((l) => l.endsWith('drill write'))
    assert.ok(writes.includes('node1: drill write') && writes.includes('node2: drill write'))
  } finally {
    sim.stop()
  }
})

test('drbd-heartbeat: a record acknowledged on the old active node and lost in the takeover fails the drill by number', async () => {
  const sim = new SimCluster(true)
  const scenario = {...stopHa, inject: async (ctx: Parameters<typeof stopHa.inject>[0]) => {
    sim.loseOnMove = [...sim.files.keys()].slice(-1)
    await stopHa.inject(ctx)
  }}
  try {
    const result = await runDrill(envFor(sim, true), scenario, 'run6')
    assert.equal(result.status, 'failed')
    assert.equal(result.writes!.lost.length, 1)
    assert.match(result.failures[0], /^1 acknowledged write\(s\) lost: record\(s\) \d+$/)
  } finally {
    sim.stop()
  }
})
