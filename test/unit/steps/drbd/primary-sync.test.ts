import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {manualClock} from '../../../../src/engine/clock.js'
import type {CommandChange, WaitChange} from '../../../../src/engine/step.js'
import {HapairError, InterruptedError, RefusalError} from '../../../../src/errors.js'
import {drbdPrimary} from '../../../../src/steps/drbd/primary.js'
import {drbdSync, progressLine} from '../../../../src/steps/drbd/sync.js'
import {FakeHost} from '../../../../src/transport/fake-host.js'
import {testContext} from '../../../helpers/cluster.js'
import {drbdFacts, gi, mirrored, procState, stateReply} from './drbd-facts.js'

const refusedWith = (re: RegExp) => (e: unknown) => e instanceof RefusalError && re.test(e.message)

describe('drbd.primary plan', () => {
  const both = (a: Parameters<typeof drbdFacts>[1], b: Parameters<typeof drbdFacts>[1]) => ({node1: {drbd: drbdFacts('node1', a)}, node2: {drbd: drbdFacts('node2', b)}})

  it('both Inconsistent on fresh metadata: primary --force on node1 only', () => {
    const plan = drbdPrimary.plan(testContext(), both({state: 'proc84-connected-inconsistent', gi: gi('fresh')}, {state: 'proc84-connected-inconsistent', gi: gi('fresh')}))
    const c = plan.changes as CommandChange[]
    assert.equal(c.length, 1)
    assert.equal(c[0].node, 'node1')
    assert.equal(c[0].script, "drbdadm primary --force 'r0' </dev/null\n")
    assert.match(plan.notes[0], /fresh metadata/)
  })

  it('one side fresh, the other with a data history: never forced', () => {
    assert.throws(
      () => drbdPrimary.plan(testContext(), both({state: 'proc84-connected-inconsistent', gi: gi('fresh')}, {state: 'proc84-connected-inconsistent', gi: gi('used')})),
      refusedWith(/both sides are Inconsistent but not both fresh \(node1 current UUID 0000000000000004 \(fresh\); node2 current UUID 8A1E3C4B5D6F7081\)/),
    )
  })

  it('node1 UpToDate: Primary without --force', () => {
    const s = {...procState('proc84-uptodate'), role: 'Secondary'}
    const plan = drbdPrimary.plan(testContext(), both({state: s, gi: gi('used')}, {state: mirrored(s), gi: gi('used')}))
    const c = plan.changes as CommandChange[]
    assert.deepEqual(c.map((x) => [x.node, x.script]), [['node1', "drbdadm primary 'r0' </dev/null\n"]])
  })

  it('only node2 UpToDate: stop and explain, nothing forced', () => {
    const s = {...procState('proc84-connected-inconsistent'), peerDisk: 'UpToDate'}
    assert.throws(
      () => drbdPrimary.plan(testContext(), both({state: s, gi: gi('used')}, {state: mirrored(s), gi: gi('used')})),
      refusedWith(/only node2 holds UpToDate data .* hapair will not force node1 over it/),
    )
  })

  it('a Primary already exists (a re-run during or after the sync): no change', () => {
    const src = procState('proc84-syncsource')
    const plan = drbdPrimary.plan(testContext(), both({state: src, gi: gi('used')}, {state: mirrored(src), gi: gi('used')}))
    assert.deepEqual(plan.changes, [])
    assert.match(plan.notes[0], /node1 already Primary/)
  })

  it('not connected: refused (the peer must be in view)', () => {
    assert.throws(() => drbdPrimary.plan(testContext(), both({state: 'proc84-wfconnection', gi: gi('fresh')}, {state: 'proc84-wfconnection', gi: gi('fresh')})), refusedWith(/not connected/))
  })
})

describe('drbd.sync', () => {
  const ctx = (o: {noWait?: boolean} = {}) => testContext({}, {options: {noWait: o.noWait ?? false}, params: {pollMs: 1}})
  const syncing = () => {
    const src = procState('proc84-syncsource')
    return {node1: {drbd: drbdFacts('node1', {state: src})}, node2: {drbd: drbdFacts('node2', {state: mirrored(src)})}}
  }

  it('in sync: nothing to wait for', () => {
    const s = procState('proc84-uptodate')
    const plan = drbdSync.plan(ctx(), {node1: {drbd: drbdFacts('node1', {state: s})}, node2: {drbd: drbdFacts('node2', {state: mirrored(s)})}})
    assert.deepEqual(plan.changes, [])
    assert.match(plan.notes[0], /^in sync/)
  })

  it('--no-wait: no wait, and a note that the Primary is usable meanwhile', () => {
    const plan = drbdSync.plan(ctx({noWait: true}), syncing())
    assert.deepEqual(plan.changes, [])
    assert.match(plan.notes[0], /not waiting for the sync \(15\.3% synced at 100\.1 MiB\/s, 8\.5 GiB to go, about 1m26s left\); mkfs and mount are safe on the Primary/)
  })

  it('syncing: a wait on the sync source reporting percent, rate and ETA until both are UpToDate', async () => {
    const plan = drbdSync.plan(ctx(), syncing())
    const [wait] = plan.changes as WaitChange[]
    assert.equal(wait.node, 'node1')
    const host = new FakeHost('node1')
      .expect('cat /proc/drbd', stateReply('proc84-syncsource'))
      .expect('cat /proc/drbd', stateReply('proc84-sync-small-stalled'))
      .expect('cat /proc/drbd', stateReply('proc84-uptodate'))
    const lines: string[] = []
    await wait.run(host, (l) => lines.push(l), new AbortController().signal)
    host.done()
    assert.deepEqual(lines, [
      '15.3% synced at 100.1 MiB/s, 8.5 GiB to go, about 1m26s left',
      '50.0% synced at 1.0 MiB/s, 2.0 MiB to go, about 2s left (stalled)',
      '100% synced: UpToDate/UpToDate',
    ])
  })

  it('Ctrl-C stops waiting (DRBD keeps syncing); a re-run plans the wait again from where it is', async () => {
    const plan = drbdSync.plan(testContext({}, {params: {pollMs: 60_000}}), syncing())
    const host = new FakeHost('node1').expect('cat /proc/drbd', stateReply('proc84-syncsource'))
    const abort = new AbortController()
    await assert.rejects((plan.changes[0] as WaitChange).run(host, () => abort.abort(), abort.signal), (e: unknown) => e instanceof InterruptedError)
    host.done()
    assert.equal(drbdSync.plan(ctx(), syncing()).changes.length, 1)
  })

  it('a connection lost for too long during the sync ends the wait with an explanation', async () => {
    // A manual clock: each poll's sleep moves time exactly 1 s, whatever the machine's speed.
    const plan = drbdSync.plan(testContext({}, {params: {pollMs: 1000, disconnectedSeconds: 1}, clock: manualClock()}), syncing())
    const lost = stateReply('proc84-wfconnection')
    // Lost at t=0, still lost at t=1 s (not over the limit yet), over it at t=2 s: three polls, no more.
    const host = new FakeHost('node1').expect('cat /proc/drbd', lost).expect('cat /proc/drbd', lost).expect('cat /proc/drbd', lost)
    await assert.rejects((plan.changes[0] as WaitChange).run(host, () => {}, new AbortController().signal), (e: unknown) => e instanceof HapairError && /lost the connection to its peer during the sync \(WFConnection for 2s\)/.test(e.message))
    host.done()
  })

  it('no UpToDate side: nothing can sync (primary first)', () => {
    const s = procState('proc84-connected-inconsistent')
    assert.throws(() => drbdSync.plan(ctx(), {node1: {drbd: drbdFacts('node1', {state: s})}, node2: {drbd: drbdFacts('node2', {state: s})}}), refusedWith(/run drbd.primary first/))
  })

  it('progress without sync details names the state', () => {
    assert.equal(progressLine(procState('proc84-wfconnection')), 'WFConnection: Inconsistent/DUnknown')
  })
})
