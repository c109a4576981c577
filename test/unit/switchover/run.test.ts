/**
 * `hapair switchover` against a simulated pair (sim-pair.ts): the phases, their timing, the
 * refusals and the undo when the takeover does not come.
 */
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {CommandFailed, ExitCode, UsageError} from '../../../src/errors.js'
import {stackOf} from '../../../src/stacks/registry.js'
import {servingShape} from '../../../src/stacks/serving-shape.js'
import {checkSwitchoverRequest, isRefusal, planSwitchover} from '../../../src/switchover/plan.js'
import {renderSwitchover, runSwitchover} from '../../../src/switchover/run.js'
import {drbd, serving, standby, testConfig} from '../drills/fixtures.js'
import {keepalived, SimPair} from './sim-pair.js'

const preempt = () => testConfig()
const nopreempt = () => testConfig({keepalived: {virtualRouterId: 51, preempt: false}})
const OPTS = {dryRun: false, timeoutMs: 30_000, settleMs: 2000}

test('preempt, away from the preferred node: graceful stop, node2 serves, node1 left stopped (it would take the VIP back), phases timed', async () => {
  const sim = new SimPair(preempt(), {node1: serving(), node2: standby()})
  const r = await runSwitchover(sim.env(), OPTS)
  assert.deepEqual(sim.sent, ['node1: systemctl stop keepalived'])
  assert.deepEqual([r.from, r.to], ['node1', 'node2'])
  assert.deepEqual(r.phases.map((p) => p.phase), ['release', 'takeover', 'settle'])
  assert.ok(r.phases.every((p) => typeof p.ms === 'number'))
  // The stop takes 100 ms; node2 answers serving on its second poll after it, one 500 ms sleep later.
  assert.equal(r.serviceGapMs, 600)
  assert.equal(r.phases[2].ms, 2000)
  assert.match(r.held ?? '', /keepalived stays stopped on node1: preempt is on.*switchover --to node1/)
  assert.equal(sim.states.node2.vipHeld, true)
  assert.equal(sim.states.node1.haActive, false)
})

test('nopreempt: node1 rejoins as BACKUP after node2 serves, and the cluster settles healthy with node2 serving', async () => {
  const sim = new SimPair(nopreempt(), {node1: serving(), node2: standby()})
  const r = await runSwitchover(sim.env(), {...OPTS, to: 'node2'})
  assert.deepEqual(sim.sent, ['node1: systemctl stop keepalived', 'node1: systemctl start keepalived'])
  assert.deepEqual(r.phases.map((p) => `${p.phase}@${p.node}`), ['release@node1', 'takeover@node2', 'rejoin@node1', 'settle@both'])
  assert.equal(r.held, undefined)
  assert.equal(sim.states.node1.haActive, true)
  assert.equal(sim.states.node2.mounted, true)
})

test('back to the preferred node left stopped: its keepalived starts first, node2 releases and rejoins', async () => {
  const sim = new SimPair(preempt(), {node1: standby({haActive: false}), node2: serving()})
  const r = await runSwitchover(sim.env(), {...OPTS, to: 'node1'})
  assert.deepEqual(r.phases.map((p) => `${p.phase}@${p.node}`), ['start-target@node1', 'release@node2', 'takeover@node1', 'rejoin@node2', 'settle@both'])
  assert.deepEqual(sim.sent, ['node1: systemctl start keepalived', 'node2: systemctl stop keepalived', 'node2: systemctl start keepalived'])
  // Counted from the start of node1's keepalived (a preempting node may take over at once), not from node2's release.
  assert.equal(r.serviceGapMs, 700)
  assert.equal(sim.states.node1.vipHeld, true)
  assert.ok(sim.states.node1.haActive && sim.states.node2.haActive)
})

test('refused (exit 5, nothing run): the target already serves', async () => {
  const sim = new SimPair(preempt(), {node1: serving(), node2: standby()})
  await assert.rejects(runSwitchover(sim.env(), {...OPTS, to: 'node1'}), (e: CommandFailed) => e.exitCode === ExitCode.refused && /node1 already serves/.test(e.message))
  assert.deepEqual(sim.sent, [])
})

test('refused (exit 5, nothing run): the cluster is not healthy, with each problem and its fix', async () => {
  const sim = new SimPair(preempt(), {node1: serving({drbd: drbd('Primary', 'Unknown', 'WFConnection', 'UpToDate', 'DUnknown')}), node2: standby({drbd: drbd('Secondary', 'Unknown', 'StandAlone', 'UpToDate', 'DUnknown')})})
  await assert.rejects(runSwitchover(sim.env(), OPTS), (e: CommandFailed) => {
    assert.equal(e.exitCode, ExitCode.refused)
    assert.match(e.message, /not healthy, so the switchover did not start/)
    assert.ok(e.problems.some((p) => p.node === 'node2' && /drbdadm connect/.test(p.fix ?? '')))
    return true
  })
  assert.deepEqual(sim.sent, [])
})

test('a takeover that does not come: the released node\'s keepalived is started again, exit 3', async () => {
  const sim = new SimPair(preempt(), {node1: serving(), node2: standby()}, {neverTakesOver: true})
  await assert.rejects(runSwitchover(sim.env(), {...OPTS, timeoutMs: 5000}), (e: CommandFailed) => e.exitCode === ExitCode.verifyFailed && /node2 did not take over within 5 s; started its HA daemon again on node1/.test(e.message))
  assert.deepEqual(sim.sent, ['node1: systemctl stop keepalived', 'node1: systemctl start keepalived'])
})

test('--dry-run reads the nodes, runs nothing and shows every phase with its commands', async () => {
  const sim = new SimPair(nopreempt(), {node1: serving(), node2: standby()})
  const r = await runSwitchover(sim.env(), {...OPTS, dryRun: true})
  assert.deepEqual(sim.sent, [])
  assert.ok(r.phases.every((p) => p.ms === null))
  const text = renderSwitchover(r)
  assert.match(text, /node1 -> node2 \(dry run: nothing was done\)/)
  assert.match(text, /release\s+node1: hand the service over\n\s+\$ systemctl stop keepalived/)
  assert.match(text, /rejoin\s+node1: rejoin as standby\n\s+\$ systemctl reset-failed keepalived .*\n\s+\$ systemctl start keepalived/)
})

test('before connecting: --to must name a node; pacemaker is refused as unsupported (exit 2)', () => {
  assert.throws(() => checkSwitchoverRequest(preempt(), keepalived, 'node9'), (e: UsageError) => e.exitCode === ExitCode.usage && /no such node/.test(e.message))
  const pcmk = stackOf({stack: 'pacemaker', service: 'nfs'})
  assert.throws(() => checkSwitchoverRequest(preempt(), pcmk), (e: UsageError) => e.exitCode === ExitCode.usage && /not supported for the nfs-pacemaker stack.*crm resource move/.test(e.message))
})

test('heartbeat: hb_standby on the active node, nothing to rejoin', () => {
  const hb = stackOf({stack: 'heartbeat', service: 'nfs'})
  const plan = planSwitchover(preempt(), hb, servingShape(hb), {node1: serving(), node2: standby()})
  assert.ok(!isRefusal(plan))
  assert.match(plan.release, /hb_standby/)
  assert.equal(plan.rejoin, null)
  assert.equal(plan.from, 'node1')
})
