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
import {runDrill} from '../../../src/drills/run-drill.js'
import {SCENARIOS} from '../../../src/drills/scenarios/index.js'
import {stackOf} from '../../../src/stacks/registry.js'
import type {ExecOptions, ExecResult, Host} from '../../../src/transport/host.js'
import {drbd, serving, standby, testConfig} from './fixtures.js'
import {probeOutput, rawFor} from './probe-output.js'

class SimCluster {
  states: Record<string, NodeState> = {node1: serving(), node2: standby()}
  files = new Map<string, string>()
  /** Records to drop from the export when service moves (simulates writes lost in a failover). */
  loseOnMove: string[] = []
  scripts: string[] = []
  private timers: NodeJS.Timeout[] = []

  serve(node: string) {
    const other = node === 'node1' ? 'node2' : 'node1'
    this.states[other] = {...standby(), haActive: this.states[other].haActive, drbd: drbd('Secondary', 'Primary')}
    this.states[node] = {...serving(), haActive: this.states[node].haActive}
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
        if (script === 'systemctl stop keepalived') {
          this.states[node] = {...standby(), haActive: false, drbd: drbd('Secondary', s.drbd?.role ?? 'Secondary')}
          this.later(300, () => this.serve(other))
          return reply()
        }
        if (/systemctl start keepalived$/.test(script)) {
          this.states[node] = {...this.states[node], haActive: true}
          if (node === 'node1') this.later(300, () => this.serve('node1')) // preempt
          return reply()
        }
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

function envFor(sim: SimCluster): DrillEnv {
  const config = testConfig({drill: {writeIntervalMs: 20, timeoutSeconds: 8}})
  const hosts = {node1: sim.host('node1'), node2: sim.host('node2')}
  const host = (n: string) => hosts[n as 'node1' | 'node2']
  return {
    config,
    stack: stackOf({stack: 'keepalived', service: 'nfs'}),
    faults: hostFaults({config, host, channels: [], allowCrash: false}),
    transport: sim.transport(),
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
