import assert from 'node:assert/strict'
import {test} from 'node:test'
import type {ClusterConfig, Stack} from '../../../src/config/schema.js'
import {ExitCode, UsageError} from '../../../src/errors.js'
import {hostFaults, type Faults} from '../../../src/drills/faults.js'
import {SCENARIOS, selectScenarios} from '../../../src/drills/scenarios/index.js'
import {stackOf} from '../../../src/stacks/registry.js'
import type {ScenarioContext, ScenarioId} from '../../../src/drills/types.js'
import {FakeHost} from '../../../src/transport/fake-host.js'
import {testConfig} from './fixtures.js'

const scenario = (id: ScenarioId) => SCENARIOS.find((s) => s.id === id)!

function setup(stack: Stack = 'keepalived', config: ClusterConfig = testConfig({stack})) {
  const hosts = {node1: new FakeHost('node1', '10.9.0.11'), node2: new FakeHost('node2', '10.9.0.12')}
  const host = (n: string) => hosts[n as keyof typeof hosts]
  const faults = hostFaults({config, host, channels: stackOf(config).peerChannels(config), allowCrash: false})
  const log: string[] = []
  const ctx: ScenarioContext = {
    config,
    stack: stackOf(config),
    faults,
    active: config.nodes[0],
    peer: config.nodes[1],
    preferred: config.nodes[0],
    host,
    memo: {},
    log: (l) => log.push(l),
  }
  const done = () => Object.values(hosts).forEach((h) => h.done())
  return {hosts, ctx, done, log}
}

test('applicability per stack: NFS stacks get every scenario, a filesystem alone all but kill-service (no nfsd), LVS none', () => {
  for (const stack of ['keepalived', 'heartbeat', 'pacemaker'] as const) {
    assert.deepEqual(SCENARIOS.filter((s) => s.appliesTo(stackOf({stack, service: 'nfs'}))).map((s) => s.id), ['stop-ha', 'kill-ha', 'kill-service', 'maintenance', 'failback', 'crash-active', 'isolate'])
    assert.deepEqual(SCENARIOS.filter((s) => s.appliesTo(stackOf({stack, service: 'filesystem'}))).map((s) => s.id), ['stop-ha', 'kill-ha', 'maintenance', 'failback', 'crash-active', 'isolate'])
  }
  assert.deepEqual(SCENARIOS.filter((s) => s.appliesTo(stackOf({stack: 'lvs'}))), [])
})

test('default selection: all applicable, isolate last, crash-active left out (with why) on real hosts', () => {
  const keep = stackOf({stack: 'keepalived', service: 'nfs'})
  const onHosts = selectScenarios([], keep, 'crashing a real host (sysrq) needs --allow-crash')
  assert.deepEqual(onHosts.selected.map((s) => s.id), ['stop-ha', 'kill-ha', 'kill-service', 'maintenance', 'failback', 'isolate'])
  assert.deepEqual(onHosts.skipped, [{id: 'crash-active', why: 'crashing a real host (sysrq) needs --allow-crash'}])
  assert.equal(selectScenarios([], keep, undefined).selected.length, 7)
})

test('named scenarios run in the order given, once each', () => {
  assert.deepEqual(selectScenarios(['maintenance', 'stop-ha', 'maintenance'], stackOf({stack: 'keepalived', service: 'nfs'}), undefined).selected.map((s) => s.id), ['maintenance', 'stop-ha'])
})

test('unknown, inapplicable or refused scenarios are usage errors (exit 2) naming the valid ones', () => {
  const keep = stackOf({stack: 'keepalived', service: 'nfs'})
  const unknown = (() => {
    try {
      selectScenarios(['stop-ha', 'pull-plug'], keep, undefined)
    } catch (e) {
      return e as UsageError
    }
  })()!
  assert.ok(unknown instanceof UsageError)
  assert.equal(unknown.exitCode, ExitCode.usage)
  assert.equal(unknown.message, 'unknown scenario "pull-plug"')
  assert.equal(unknown.hint, 'valid for stack nfs-keepalived: stop-ha, kill-ha, kill-service, maintenance, failback, crash-active, isolate')
  assert.throws(() => selectScenarios(['stop-ha'], stackOf({stack: 'lvs'}), undefined), /does not apply to stack lvs-keepalived/)
  assert.throws(() => selectScenarios([], stackOf({stack: 'lvs'}), undefined), /no drill scenario applies to stack lvs-keepalived/)
  assert.throws(() => selectScenarios(['crash-active'], keep, 'needs --allow-crash'), (e: UsageError) => e.exitCode === 2 && /--allow-crash/.test(e.hint ?? ''))
})

test('stop-ha (keepalived): stops keepalived on the active node only; heal starts it again', async () => {
  const {hosts, ctx, done} = setup()
  hosts.node1.expect(/^systemctl stop keepalived$/)
  await scenario('stop-ha').inject(ctx)
  hosts.node1.expect(/systemctl reset-failed keepalived.*\nsystemctl start keepalived$/)
  assert.deepEqual(await scenario('stop-ha').heal(ctx), ['started keepalived on node1'])
  done()
  assert.equal(hosts.node2.calls.length, 0)
})

test('kill-ha: SIGKILL per stack (keepalived, heartbeat, corosync under pacemaker); a kill that matched nothing is an error', async () => {
  for (const [stack, cmd] of [['keepalived', 'pkill -KILL -x keepalived'], ['heartbeat', 'pkill -KILL -x heartbeat'], ['pacemaker', 'pkill -KILL -x corosync']] as const) {
    const {hosts, ctx, done} = setup(stack)
    hosts.node1.expect(cmd)
    await scenario('kill-ha').inject(ctx)
    done()
  }
  const {hosts, ctx} = setup()
  hosts.node1.expect('pkill -KILL -x keepalived', {code: 1})
  await assert.rejects(scenario('kill-ha').inject(ctx), /exited 1/)
})

test('kill-service: kills nfsd; heal restarts it only where the filesystem is still mounted', async () => {
  const {hosts, ctx, done} = setup()
  hosts.node1.expect(/^pkill -KILL -x nfsd$/)
  await scenario('kill-service').inject(ctx)
  hosts.node1.expect(/\/proc\/fs\/nfsd\/threads.*\/proc\/mounts; then systemctl restart nfs-server; echo restarted; fi/, {stdout: 'restarted\n'})
  assert.deepEqual(await scenario('kill-service').heal(ctx), ['restarted nfs-server on node1 (the stack had not)'])
  hosts.node1.expect('systemctl restart nfs-server', {stdout: ''})
  assert.deepEqual(await scenario('kill-service').heal(ctx), [])
  done()
})

test('maintenance (keepalived): down-file when keepalived.conf watches it, heal removes exactly that', async () => {
  const {hosts, ctx, done, log} = setup()
  hosts.node1.expect(/grep -qsF -- '\/etc\/keepalived\/down' \/etc\/keepalived\/keepalived.conf; then touch '\/etc\/keepalived\/down'/, {stdout: 'maintenance=down-file\n'})
  await scenario('maintenance').inject(ctx)
  assert.equal(ctx.memo.maintenance, 'down-file')
  assert.deepEqual(log, ['node1: maintenance by down-file'])
  hosts.node1.expect(/^rm -f '\/etc\/keepalived\/down'$/)
  assert.deepEqual(await scenario('maintenance').heal(ctx), ['ended maintenance (down-file) on node1'])
  done()
})

test('maintenance (keepalived, no down-file in the config): graceful stop, heal starts keepalived', async () => {
  const {hosts, ctx, done} = setup()
  hosts.node1.expect('touch', {stdout: 'maintenance=stop\n'})
  await scenario('maintenance').inject(ctx)
  hosts.node1.expect(/^systemctl start keepalived$/)
  await scenario('maintenance').heal(ctx)
  done()
})

test('maintenance: pacemaker standby / online, heartbeat hb_standby with nothing to undo', async () => {
  const pm = setup('pacemaker')
  pm.hosts.node1.expect(/^crm node standby "\$\(uname -n\)"\necho maintenance=standby$/, {stdout: 'maintenance=standby\n'})
  await scenario('maintenance').inject(pm.ctx)
  pm.hosts.node1.expect(/^crm node online "\$\(uname -n\)"$/)
  await scenario('maintenance').heal(pm.ctx)
  pm.done()
  const hb = setup('heartbeat')
  hb.hosts.node1.expect(/hb_standby/, {stdout: 'maintenance=hb_standby\n'})
  await scenario('maintenance').inject(hb.ctx)
  assert.deepEqual(await scenario('maintenance').heal(hb.ctx), [])
  hb.done()
})

test('failback: prepare and inject act on the preferred node; the expectation follows preempt / auto_failback', async () => {
  const {hosts, ctx, done} = setup()
  const {active: _a, peer: _p, ...base} = ctx
  hosts.node1.expect(/^systemctl stop keepalived$/)
  await scenario('failback').prepare!(base)
  hosts.node1.expect(/systemctl start keepalived$/)
  await scenario('failback').inject({...ctx, active: ctx.config.nodes[1], peer: ctx.config.nodes[0]})
  done()
  assert.equal(scenario('failback').expectation(testConfig(), stackOf({stack: 'keepalived', service: 'nfs'})).endsOn, 'other')
  assert.equal(scenario('failback').expectation(testConfig({keepalived: {virtualRouterId: 51, preempt: false}}), stackOf({stack: 'keepalived', service: 'nfs'})).endsOn, 'same')
  assert.equal(scenario('failback').expectation(testConfig({stack: 'heartbeat'}), stackOf({stack: 'heartbeat', service: 'nfs'})).endsOn, 'same')
  assert.equal(scenario('failback').expectation(testConfig({stack: 'pacemaker', pacemaker: {stickiness: 0, fencing: 'none'}}), stackOf({stack: 'pacemaker', service: 'nfs'})).endsOn, 'other')
})

test('crash-active: through the faults; on real hosts without --allow-crash it is refused before anything runs', async () => {
  const {ctx, hosts} = setup()
  await assert.rejects(scenario('crash-active').inject(ctx), /needs --allow-crash/)
  assert.equal(hosts.node1.calls.length, 0)
  const calls: string[] = []
  const fake: Faults = {
    kind: 'lab',
    crash: async (n) => void calls.push(`off ${n.name}`),
    powerOn: async (n) => (calls.push(`on ${n.name}`), {}),
    cutPeerLink: async () => {},
    healPeerLink: async () => {},
  }
  await scenario('crash-active').inject({...ctx, faults: fake})
  assert.deepEqual(await scenario('crash-active').heal({...ctx, faults: fake}), ['powered on node1'])
  assert.deepEqual(calls, ['off node1', 'on node1'])
})

test('crash-active on a real host with --allow-crash: sysrq, and a lost channel is expected, not an error', async () => {
  const config = testConfig()
  const node1 = new FakeHost('node1').expect(/echo c > \/proc\/sysrq-trigger/, {throws: new Error('connection lost')})
  const faults = hostFaults({config, host: () => node1, channels: [], allowCrash: true})
  await faults.crash(config.nodes[0])
  node1.done()
  assert.match((await faults.powerOn(config.nodes[0])).todo!, /power on node1/)
})

test('isolate: firewall rules on both nodes against the peer only, and the hold time; heal removes them', async () => {
  const {hosts, ctx, done} = setup()
  hosts.node1.expect((s) => s.includes("ip daddr { 10.9.0.12, 10.10.0.12 } tcp dport 7788 drop") && s.includes('ip protocol 112'))
  hosts.node2.expect((s) => s.includes("ip daddr { 10.9.0.11 } tcp dport 7788 drop") && !s.includes('10.9.0.12'))
  await scenario('isolate').inject(ctx)
  hosts.node1.expect(/nft delete table inet hapair_drill/)
  hosts.node2.expect(/iptables -X HAPAIR-DRILL/)
  assert.deepEqual(await scenario('isolate').heal(ctx), ['removed the drill firewall rules on both nodes'])
  done()
  const exp = scenario('isolate').expectation(ctx.config, ctx.stack)
  assert.equal(exp.holdMs, 24_149) // DRBD's 10.5 s peer-loss detection + the 3649 ms bound + 10 s to promote
  assert.match(exp.text, /never two primaries with diverging data/)
})

test('expectations carry the stack detection bound', () => {
  const config = testConfig({keepalived: {virtualRouterId: 51, advertInt: 2}, heartbeat: {deadtime: 8}})
  assert.equal(stackOf({stack: 'keepalived', service: 'nfs'}).manager.detectionBoundMs(config), 7297)
  assert.equal(stackOf({stack: 'heartbeat', service: 'nfs'}).manager.detectionBoundMs(config), 8000)
  assert.equal(stackOf({stack: 'pacemaker', service: 'nfs'}).manager.detectionBoundMs(config), 6600)
  assert.equal(scenario('stop-ha').expectation(config, stackOf({stack: 'keepalived', service: 'nfs'})).minObserveMs, 0)
  assert.equal(scenario('kill-service').expectation(config, stackOf({stack: 'keepalived', service: 'nfs'})).minObserveMs, 17_297)
})
