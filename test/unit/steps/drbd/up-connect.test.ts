import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import type {CommandChange, WaitChange} from '../../../../src/engine/step.js'
import {HapairError, InterruptedError, RefusalError} from '../../../../src/errors.js'
import {drbdAdjustFact} from '../../../../src/facts/drbd.js'
import {drbdConnect} from '../../../../src/steps/drbd/connect.js'
import {drbdUp} from '../../../../src/steps/drbd/up.js'
import {FakeHost} from '../../../../src/transport/fake-host.js'
import {testContext} from '../../../helpers/cluster.js'
import {recorded} from '../../../helpers/recorded.js'
import {drbdFacts, stateReply} from './drbd-facts.js'

const adjustDown = () => {
  const f = recorded('drbd', 'adjust-no-module')
  return drbdAdjustFact('r0').parse(f.output, f.exitCode!)
}
const svc = (enabled: string) => ({'drbd.service': {active: 'inactive', enabled}})

describe('drbd.up plan', () => {
  it('down on both: adjust (which brings it up) and enable drbd.service for boot', () => {
    const plan = drbdUp.plan(testContext(), {
      node1: {drbd: drbdFacts('node1'), adjust: adjustDown(), services: svc('disabled')},
      node2: {drbd: drbdFacts('node2'), adjust: adjustDown(), services: svc('enabled')},
    })
    const c = plan.changes as CommandChange[]
    assert.deepEqual(c.map((x) => [x.node, x.script.trim()]), [
      ['node1', "drbdadm adjust 'r0' </dev/null"],
      ['node1', 'systemctl enable drbd.service'],
      ['node2', "drbdadm adjust 'r0' </dev/null"],
    ])
    assert.match(c[0].title, /bring r0 up/)
  })

  it('running as configured: nothing; a running resource whose config changed: adjust', () => {
    const same = {commands: [], error: null}
    const plan = drbdUp.plan(testContext(), {
      node1: {drbd: drbdFacts('node1', {state: 'proc84-uptodate'}), adjust: same, services: svc('enabled')},
      node2: {drbd: drbdFacts('node2', {state: 'proc84-uptodate'}), adjust: {commands: ['drbdsetup-84 disk-options 0 --resync-rate=40M'], error: null}, services: svc('enabled')},
    })
    assert.deepEqual(plan.changes.map((c) => [c.node, c.title]), [['node2', 'adjust r0 to its configuration (drbdsetup-84 disk-options)']])
    assert.match(plan.notes[0], /node1: Primary\/Secondary UpToDate\/UpToDate Connected \(running as configured\)/)
  })

  it('under pacemaker drbd.service is left to the cluster manager', () => {
    const ctx = testContext({stack: 'pacemaker', keepalived: undefined, pacemaker: {fencing: 'none'}})
    const same = {commands: [], error: null}
    const plan = drbdUp.plan(ctx, {
      node1: {drbd: drbdFacts('node1', {state: 'proc84-uptodate'}), adjust: same, services: svc('disabled')},
      node2: {drbd: drbdFacts('node2', {state: 'proc84-uptodate'}), adjust: same, services: svc('enabled')},
    })
    assert.deepEqual(plan.changes, [])
    assert.ok(plan.notes.some((n) => /node2: drbd.service is enabled, but under corosync \+ pacemaker the cluster manager starts DRBD itself/.test(n)))
  })

  it('a resource drbdadm does not know is refused (config first)', () => {
    assert.throws(
      () => drbdUp.plan(testContext(), {
        node1: {drbd: drbdFacts('node1'), adjust: {commands: [], error: "'r0' not defined in your config (for this host)."}, services: svc('enabled')},
        node2: {drbd: drbdFacts('node2'), adjust: adjustDown(), services: svc('enabled')},
      }),
      (e: unknown) => e instanceof RefusalError && /node1: drbdadm does not know r0 \(run drbd.config first\)/.test(e.message),
    )
  })
})

describe('drbd.connect', () => {
  const ctx = (params: Record<string, unknown> = {}) => testContext({}, {params: {pollMs: 1, ...params}})

  it('connected on both: nothing to wait for', () => {
    const plan = drbdConnect.plan(ctx(), {node1: {drbd: drbdFacts('node1', {state: 'proc84-connected-inconsistent'})}, node2: {drbd: drbdFacts('node2', {state: 'proc84-connected-inconsistent'})}})
    assert.deepEqual(plan.changes, [])
    assert.match(plan.notes[0], /^connected: node1: Secondary\/Secondary Inconsistent\/Inconsistent Connected/)
  })

  it('waiting for the peer: a wait on node1 that polls until Connected, with progress', async () => {
    const plan = drbdConnect.plan(ctx(), {node1: {drbd: drbdFacts('node1', {state: 'proc84-wfconnection'})}, node2: {drbd: drbdFacts('node2', {state: 'proc84-wfconnection'})}})
    const [wait] = plan.changes as WaitChange[]
    assert.equal(wait.kind, 'wait')
    assert.equal(wait.node, 'node1')
    const host = new FakeHost('node1').expect('cat /proc/drbd', stateReply('proc84-wfconnection')).expect('cat /proc/drbd', stateReply('proc84-connected-inconsistent'))
    const lines: string[] = []
    await wait.run(host, (l) => lines.push(l), new AbortController().signal)
    host.done()
    assert.equal(lines.length, 1)
    assert.match(lines[0], /^WFConnection for \d+s, waiting for node2$/)
  })

  it('still not connected at the timeout: says what to check, with what it tested from node1', async () => {
    const plan = drbdConnect.plan(ctx({timeoutSeconds: 0}), {node1: {drbd: drbdFacts('node1', {state: 'proc84-wfconnection'})}, node2: {drbd: drbdFacts('node2', {state: 'proc84-wfconnection'})}})
    const [wait] = plan.changes as WaitChange[]
    const diag = 'hostname=node1\nlistening=yes\npeer=closed\nown-address=yes\nkernel=[  12.3] drbd r0: conn( Unconnected -> WFConnection )\n'
    const host = new FakeHost('node1').expect('/dev/tcp/', {stdout: diag})
    await assert.rejects(
      () => wait.run(host, () => {}, new AbortController().signal),
      (e: unknown) => {
        assert.ok(e instanceof HapairError)
        assert.match(e.message, /r0 did not connect within 0 s/)
        assert.match(e.message, /firewall: TCP 7788 must be open both ways between 192\.168\.77\.11 and 192\.168\.77\.12 \(from node1, 192\.168\.77\.12:7788 is NOT reachable\)/)
        assert.match(e.message, /host names: `uname -n` must equal the `on` names "node1" and "node2" \(node1 says "node1"\)/)
        assert.match(e.message, /is node2 up\?/)
        assert.match(e.message, /drbd r0: conn\( Unconnected -> WFConnection \)/)
        return true
      },
    )
    host.done()
    assert.match(host.scripts[0], /timeout 3 bash -c "<\/dev\/tcp\/\$peer\/\$port"/)
    assert.match(host.scripts[0], /peer='192\.168\.77\.12'/)
  })

  it('StandAlone is refused at once, and also during the wait', async () => {
    assert.throws(
      () => drbdConnect.plan(ctx(), {node1: {drbd: drbdFacts('node1', {state: 'proc84-standalone'})}, node2: {drbd: drbdFacts('node2', {state: 'proc84-wfconnection'})}}),
      (e: unknown) => e instanceof RefusalError && /node1: r0 is StandAlone/.test(e.message),
    )
    const plan = drbdConnect.plan(ctx(), {node1: {drbd: drbdFacts('node1', {state: 'proc84-wfconnection'})}, node2: {drbd: drbdFacts('node2', {state: 'proc84-wfconnection'})}})
    const host = new FakeHost('node1').expect('cat /proc/drbd', stateReply('proc84-standalone'))
    await assert.rejects(() => (plan.changes[0] as WaitChange).run(host, () => {}, new AbortController().signal), /StandAlone/)
  })

  it('Ctrl-C ends the wait as an interruption', async () => {
    const plan = drbdConnect.plan(ctx({pollMs: 60_000}), {node1: {drbd: drbdFacts('node1', {state: 'proc84-wfconnection'})}, node2: {drbd: drbdFacts('node2', {state: 'proc84-wfconnection'})}})
    const host = new FakeHost('node1').expect('cat /proc/drbd', stateReply('proc84-wfconnection'))
    const abort = new AbortController()
    const waiting = (plan.changes[0] as WaitChange).run(host, () => abort.abort(), abort.signal)
    await assert.rejects(waiting, (e: unknown) => e instanceof InterruptedError)
  })

  it('a resource that is down is refused (up first)', () => {
    assert.throws(() => drbdConnect.plan(ctx(), {node1: {drbd: drbdFacts('node1')}, node2: {drbd: drbdFacts('node2', {state: 'proc84-wfconnection'})}}), /node1: r0 is down \(run drbd.up first\)/)
  })
})
