/**
 * `failover-test --floor`: the plan's order, when an acquire may run, the medians, each drill's
 * ratio and target, and the runner against a simulated pair of nodes (a fake clock: nothing here
 * depends on how fast the machine is).
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import type {Clock} from '../../../src/drills/client-writer.js'
import type {DrillEnv} from '../../../src/drills/env.js'
import {hostFaults} from '../../../src/drills/faults.js'
import {measureFloor} from '../../../src/drills/floor.js'
import {acquireRefusal, drillFloor, floorMedians, floorPlan, median, nothingServed, withFloor, type FloorStep} from '../../../src/drills/floor-plan.js'
import {SCENARIOS} from '../../../src/drills/scenarios/index.js'
import type {NodeState} from '../../../src/cluster-state/node-state.js'
import {stackOf} from '../../../src/stacks/registry.js'
import type {StackDescriptor} from '../../../src/stacks/types.js'
import type {ExecOptions, Host} from '../../../src/transport/host.js'
import {drbd, serving, standby, testConfig} from './fixtures.js'
import {probeOutput, rawFor} from './probe-output.js'
import {failed, passed} from './sample-report.js'

const config = testConfig()
const nfsKeepalived = stackOf({stack: 'keepalived', service: 'nfs'})

describe('floor plan', () => {
  const plan = floorPlan('node1', 'node2')
  const show = (s: FloorStep) => (s.kind === 'wait-released' ? s.kind : `${s.kind} ${s.node}${'timed' in s && s.timed ? ' timed' : ''}`)

  it('stops the standby’s manager first, so stopping the active one leaves nobody to take over', () => {
    assert.deepEqual(plan.slice(0, 4).map(show), ['stop-ha node2', 'stop-ha node1', 'wait-released', 'acquire node1'])
  })

  it('times 3 round trips, every acquire right after the other node’s release, and ends released', () => {
    const timed = plan.filter((s) => 'timed' in s && s.timed).map(show)
    assert.deepEqual(timed, [
      ...['release node1 timed', 'acquire node2 timed', 'release node2 timed', 'acquire node1 timed'],
      ...['release node1 timed', 'acquire node2 timed', 'release node2 timed', 'acquire node1 timed'],
      ...['release node1 timed', 'acquire node2 timed', 'release node2 timed', 'acquire node1 timed'],
    ])
    assert.deepEqual(show(plan.at(-1)!), 'release node1')
    // Nobody serves twice: an acquire always follows the release of the node that served.
    let serving: string | null = null
    for (const s of plan) {
      if (s.kind === 'acquire') {
        assert.equal(serving, null, `acquire on ${s.node} while ${serving} serves`)
        serving = s.node
      } else if (s.kind === 'release') {
        assert.equal(serving, s.node)
        serving = null
      }
    }
    assert.equal(serving, null)
  })

  it('rounds are a parameter', () => {
    assert.equal(floorPlan('a', 'b', 1).filter((s) => 'timed' in s && s.timed).length, 4)
  })
})

describe('floor safety checks', () => {
  const released = {node1: standby({drbd: drbd('Secondary', 'Secondary')}), node2: standby({drbd: drbd('Secondary', 'Secondary')})}

  it('an acquire may run only over two Secondaries, connected and UpToDate, with nothing held by the other node', () => {
    assert.equal(acquireRefusal(config, released, 'node2'), undefined)
    assert.equal(acquireRefusal(config, {node1: serving(), node2: standby()}, 'node2'), 'DRBD is Secondary on node2 and Primary on node1, not Secondary on both')
    assert.match(acquireRefusal(config, {...released, node2: standby({drbd: drbd('Secondary', 'Primary')})}, 'node2')!, /Primary on node1, not Secondary on both/)
    assert.match(acquireRefusal(config, {...released, node2: standby({drbd: drbd('Secondary', 'Secondary', 'Connected', 'Outdated')})}, 'node2')!, /not Connected with both disks UpToDate/)
    assert.match(acquireRefusal(config, {...released, node2: standby({drbd: drbd('Secondary', 'Unknown', 'WFConnection', 'UpToDate', 'DUnknown')})}, 'node2')!, /not Connected/)
    assert.match(acquireRefusal(config, {...released, node1: standby({drbd: drbd('Secondary', 'Secondary'), mounted: true})}, 'node2')!, /node1 still holds the mount/)
    assert.match(acquireRefusal(config, {...released, node1: undefined}, 'node2')!, /node1 does not answer/)
  })

  it('"released" means no part of the service anywhere', () => {
    assert.equal(nothingServed(config, released), true)
    assert.equal(nothingServed(config, {...released, node1: standby({drbd: drbd('Secondary', 'Secondary'), nfsdThreads: 8})}), false)
    assert.equal(nothingServed(config, {...released, node2: standby({drbd: drbd('Secondary', 'Secondary'), vipHeld: true})}), false)
    assert.equal(nothingServed(config, {...released, node1: standby({drbd: drbd('Primary', 'Secondary')})}), false)
    assert.equal(nothingServed(config, {...released, node1: undefined}), false)
  })
})

describe('floor figures', () => {
  it('medians of the handovers', () => {
    assert.equal(median([]), null)
    assert.equal(median([3, 1, 2]), 2)
    assert.equal(median([4, 1, 3, 2]), 3) // (2 + 3) / 2, rounded
    assert.deepEqual(floorMedians([{from: 'a', to: 'b', releaseMs: 1200, acquireMs: 2300}, {from: 'b', to: 'a', releaseMs: 1250, acquireMs: 2100}, {from: 'a', to: 'b', releaseMs: 1210, acquireMs: 2200}]), {releaseMs: 1210, acquireMs: 2200})
  })

  const floor = {releaseMs: 1200, acquireMs: 2200}

  it('a clean stop: no detection share, release + acquire (the issue’s stop-ha: 41.8 s against a 6.1 s target)', () => {
    assert.deepEqual(drillFloor({detection: 'none', commands: 'handover'}, 41_800, 3700, floor), {
      rule: {detection: 'none', commands: 'handover'},
      detectionShareMs: 0,
      floorMs: 3400,
      ratio: 12.29,
      targetMs: 6100,
      withinTarget: false,
    })
  })

  it('a crash: the whole detection bound, acquire alone', () => {
    const f = drillFloor({detection: 'bound', commands: 'acquire'}, 7000, 3700, floor)
    assert.equal(f.detectionShareMs, 3700)
    assert.equal(f.floorMs, 2200)
    assert.equal(f.ratio, 1.19) // 7000 / (3700 + 2200)
    assert.equal(f.targetMs, 8000) // 3700 + 1.5 x 2200 + 1000
    assert.equal(f.withinTarget, true)
    assert.equal(drillFloor({detection: 'bound', commands: 'acquire'}, 8000, 3700, floor).withinTarget, true, 'the target itself is within')
    assert.equal(drillFloor({detection: 'bound', commands: 'acquire'}, 8001, 3700, floor).withinTarget, false)
  })

  it('no stall measured: no ratio and no verdict, but the target still shown', () => {
    const f = drillFloor({detection: 'none', commands: 'handover'}, null, 3700, floor)
    assert.equal(f.ratio, null)
    assert.equal(f.withinTarget, null)
    assert.equal(f.targetMs, 6100)
  })

  it('every scenario carries its rule: clean hand-overs spend no detection, a lost node needs only the acquire', () => {
    const rules = Object.fromEntries(SCENARIOS.map((s) => [s.id, `${s.floorRule.detection}/${s.floorRule.commands}`]))
    assert.deepEqual(rules, {
      'stop-ha': 'none/handover',
      maintenance: 'none/handover',
      failback: 'none/handover',
      'kill-ha': 'bound/handover',
      'kill-service': 'bound/handover',
      'crash-active': 'bound/acquire',
      isolate: 'bound/acquire',
    })
  })

  it('withFloor sets the figures on drills that ran, and leaves the rest alone', () => {
    const rules = new Map(SCENARIOS.map((s) => [s.id as string, s.floorRule]))
    const refused = {...passed, scenario: 'crash-active' as const, status: 'refused' as const}
    const [a, b, c] = withFloor([passed, failed, refused], rules, floor)
    assert.equal(a.floor?.floorMs, 3400)
    assert.equal(a.floor?.ratio, 0.65) // 2200 / 3400
    assert.equal(b.floor?.detectionShareMs, passed.expectation.detectionBoundMs, 'kill-ha spends the bound')
    assert.equal(c.floor, undefined)
    assert.deepEqual(withFloor([passed], rules, {releaseMs: null, acquireMs: 2200}), [passed], 'no floor without both medians')
  })
})

/**
 * Two simulated nodes: probes answer from their state; stopping keepalived on the node that serves
 * releases (the stack's notify_stop), starting it on both lets the preferred node serve, and the
 * bare scripts move the service and print the times in `times`.
 */
interface Sim {
  env: DrillEnv
  /** Every command but probes, as "node: what". */
  sent: string[]
  states: Record<string, {primary: boolean; serving: boolean; ha: boolean}>
}

function simulate(opts: {times?: number[]; acquireRefusedOn?: number; stack?: StackDescriptor; unhealthy?: boolean} = {}): Sim {
  const times = [...(opts.times ?? [1200, 2200, 1300, 2100, 1250, 2300, 1210, 2250, 1190, 2150, 1220, 2200, 999, 999])]
  const states: Sim['states'] = {node1: {primary: true, serving: true, ha: true}, node2: {primary: false, serving: false, ha: !opts.unhealthy}}
  const sent: string[] = []
  let acquires = 0
  let t = 0
  const clock: Clock = {now: () => t, sleep: async (ms) => void (t += Math.max(1, ms))}
  const other = (n: string) => (n === 'node1' ? 'node2' : 'node1')
  const nodeState = (n: string): NodeState => {
    const s = states[n]
    const base = {drbd: drbd(s.primary ? 'Primary' : 'Secondary', states[other(n)].primary ? 'Primary' : 'Secondary'), haActive: s.ha}
    return s.serving ? serving(base) : standby(base)
  }
  const host = (node: string): Host => ({
    node,
    address: node,
    run: async (script: string, o: ExecOptions = {}) => {
      const reply = (stdout = '', code = 0, stderr = '') => ({node, label: o.label ?? '', code, stdout, stderr, durationMs: 1})
      if (script.includes('@@hapair-fact')) return reply(probeOutput(rawFor(nodeState(node)), script.includes('Split-Brain')))
      if (script.includes('/etc/os-release')) return reply('id=debian\nlike=\nversion=12\npretty=Debian GNU/Linux 12\npm=apt-get\nhostname=x\ninit=systemd\n')
      const s = states[node]
      if (/systemctl stop keepalived/.test(script)) {
        sent.push(`${node}: stop keepalived`)
        s.ha = false
        if (s.serving) Object.assign(s, {serving: false, primary: false}) // its notify_stop releases
      } else if (/systemctl start keepalived/.test(script)) {
        sent.push(`${node}: start keepalived`)
        s.ha = true
        if (states.node1.ha && states.node2.ha && !states.node1.primary && !states.node2.primary) Object.assign(states.node1, {serving: true, primary: true})
      } else if (script.includes('ACTION=floor-release')) {
        sent.push(`${node}: bare release`)
        Object.assign(s, {serving: false, primary: false})
        return reply(`hapair-floor-ms=${times.shift()}\n`)
      } else if (script.includes('ACTION=floor-acquire')) {
        sent.push(`${node}: bare acquire`)
        if (++acquires === opts.acquireRefusedOn) return reply('', 3, 'refused: peer role Primary, local disk UpToDate')
        Object.assign(s, {serving: true, primary: true})
        return reply(`hapair-floor-ms=${times.shift()}\n`)
      } else throw new Error(`unexpected script on ${node}: ${script}`)
      return reply()
    },
    close: async () => {},
  })
  const env: DrillEnv = {
    config,
    stack: opts.stack ?? nfsKeepalived,
    faults: hostFaults({config, host, channels: [], allowCrash: false}),
    transport: undefined as never,
    host,
    reconnect: async (n) => host(n),
    clock,
    log: () => {},
    healSettleMs: 0,
  }
  return {env, sent, states}
}

describe('measureFloor on a simulated pair', () => {
  it('measures 6 handovers with the HA manager stopped, then restores it and finds the cluster healthy', async () => {
    const sim = simulate()
    const f = await measureFloor(sim.env)
    assert.equal(f.status, 'measured', f.failures.join('; '))
    assert.deepEqual(sim.sent, [
      'node2: stop keepalived',
      'node1: stop keepalived',
      'node1: bare acquire',
      ...['node1: bare release', 'node2: bare acquire', 'node2: bare release', 'node1: bare acquire'],
      ...['node1: bare release', 'node2: bare acquire', 'node2: bare release', 'node1: bare acquire'],
      ...['node1: bare release', 'node2: bare acquire', 'node2: bare release', 'node1: bare acquire'],
      'node1: bare release',
      'node1: start keepalived',
      'node2: start keepalived',
    ])
    // The untimed first acquire printed 1200; the timed ones follow, paired release then acquire.
    assert.deepEqual(f.handovers[0], {from: 'node1', to: 'node2', releaseMs: 2200, acquireMs: 1300})
    assert.equal(f.handovers.length, 6)
    assert.deepEqual(f.handovers.map((h) => `${h.from}>${h.to}`), ['node1>node2', 'node2>node1', 'node1>node2', 'node2>node1', 'node1>node2', 'node2>node1'])
    assert.equal(f.releaseMs, median(f.handovers.map((h) => h.releaseMs)))
    assert.equal(f.acquireMs, median(f.handovers.map((h) => h.acquireMs)))
    assert.equal(f.restore?.healthy, true)
    assert.equal(sim.states.node1.serving, true)
  })

  it('refuses, changing nothing, when the cluster is not healthy', async () => {
    const sim = simulate({unhealthy: true})
    const f = await measureFloor(sim.env)
    assert.equal(f.status, 'refused')
    assert.match(f.failures[0], /not healthy, so the floor was not measured/)
    assert.deepEqual(sim.sent, [])
    assert.equal(f.restore, undefined)
  })

  it('refuses a stack that has no bare commands', async () => {
    const sim = simulate({stack: {...nfsKeepalived, bareHandover: undefined}})
    const f = await measureFloor(sim.env)
    assert.equal(f.status, 'refused')
    assert.match(f.failures[0], /no bare handover commands/)
    assert.deepEqual(sim.sent, [])
  })

  it('an acquire that refuses stops the floor; the HA manager is restored all the same', async () => {
    const sim = simulate({acquireRefusedOn: 2})
    const f = await measureFloor(sim.env)
    assert.equal(f.status, 'failed')
    assert.match(f.failures[0], /^node2: the bare acquire refused and changed nothing: refused: peer role Primary/)
    assert.deepEqual(sim.sent.slice(-4), ['node1: bare release', 'node2: bare acquire', 'node1: start keepalived', 'node2: start keepalived'])
    assert.equal(f.handovers.length, 0)
    assert.equal(f.releaseMs, null)
    assert.equal(f.restore?.healthy, true)
  })

  it('never acquires while the other node is still Primary: it waits, then gives up and restores', async () => {
    const sim = simulate()
    // The first timed release leaves DRBD Primary behind (as a failed demotion would).
    const run = sim.env.host
    sim.env.host = (node) => {
      const h = run(node)
      return {
        ...h,
        run: async (script, o) => {
          const r = await h.run(script, o)
          if (script.includes('ACTION=floor-release') && sim.sent.filter((l) => l.endsWith('bare release')).length === 1) sim.states[node].primary = true
          return r
        },
      }
    }
    const f = await measureFloor(sim.env)
    assert.equal(f.status, 'failed')
    assert.match(f.failures[0], /^not acquiring on node2: DRBD is Secondary on node2 and Primary on node1, not Secondary on both$/)
    assert.ok(!sim.sent.includes('node2: bare acquire'), 'no acquire over a Primary peer')
  })
})
