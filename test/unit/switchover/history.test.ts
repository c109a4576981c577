/**
 * A switchover is a run in the state file, as `hapair history` shows it: one step a phase, a dry
 * run recorded as one, a failed takeover as a failed run stopped at its phase, a refusal not at all.
 */
import assert from 'node:assert/strict'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import {ExitCode} from '../../../src/errors.js'
import {runDetail, runsTable} from '../../../src/state/history-view.js'
import {StateFile} from '../../../src/state/state-file.js'
import {recordedSwitchover} from '../../../src/switchover/record.js'
import {runSwitchover, type SwitchoverOptions} from '../../../src/switchover/run.js'
import {serving, standby, testConfig} from '../drills/fixtures.js'
import {SimPair} from './sim-pair.js'

const OPTS = {dryRun: false, timeoutMs: 30_000, settleMs: 2000}
const alive = () => false

/** One switchover of `sim`, recorded into a fresh state dir; the state file as `history` reads it again. */
async function recorded(sim: SimPair, opts: SwitchoverOptions): Promise<{state: StateFile; error?: unknown}> {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-switchover-history-'))
  const meta = {hapairVersion: 'test', clusterFile: '/x/hapair.yaml', clusterHash: 'abc123', dryRun: opts.dryRun}
  let error: unknown
  try {
    await recordedSwitchover(new StateFile(dir), meta, (record) => runSwitchover({...sim.env(), record}, opts))
  } catch (e) {
    error = e
  }
  return {state: new StateFile(dir), error}
}

test('a switchover is recorded as a run with one step a phase, and history lists it', async () => {
  const sim = new SimPair(testConfig({keepalived: {virtualRouterId: 51, preempt: false}}), {node1: serving(), node2: standby()})
  const {state, error} = await recorded(sim, OPTS)
  assert.equal(error, undefined)
  const [run] = state.runs
  assert.equal(state.runs.length, 1)
  assert.deepEqual([run.command, run.status, run.dryRun], ['switchover', 'ok', false])
  assert.deepEqual(run.steps.map((s) => `${s.id}:${s.status}`), ['switchover-release:changed', 'switchover-takeover:unchanged', 'switchover-rejoin:changed', 'switchover-settle:unchanged'])
  assert.deepEqual(run.steps[0].nodes.node1.changes.map((c) => c.title), ['systemctl stop keepalived'])
  assert.match(runsTable(state.runs, alive), /\n1\s+\S+ \S+\s+switchover\s+ok\s+4 steps, 2 changed\s+\S+s$/)
  assert.match(runDetail(run, alive), /changed\s+switchover-release .*\n\s+node1: systemctl stop keepalived/)
})

test('--dry-run is recorded as a dry run, its phases planned and nothing run', async () => {
  const sim = new SimPair(testConfig(), {node1: serving(), node2: standby()})
  const {state} = await recorded(sim, {...OPTS, dryRun: true})
  const [run] = state.runs
  assert.deepEqual(sim.sent, [])
  assert.deepEqual([run.status, run.dryRun], ['planned', true])
  assert.deepEqual(run.steps.map((s) => `${s.id}:${s.status}`), ['switchover-release:planned', 'switchover-takeover:planned', 'switchover-settle:planned'])
  assert.deepEqual(run.steps[0].planned, ['systemctl stop keepalived'])
  assert.match(runsTable(state.runs, alive), /switchover\s+dry run: planned\s+3 steps, 0 changed/)
  assert.equal(state.unfinished(), undefined, 'a dry run says nothing of where the cluster stands')
})

test('a takeover that does not come: a failed run, stopped at the takeover with its reason', async () => {
  const sim = new SimPair(testConfig(), {node1: serving(), node2: standby()}, {neverTakesOver: true})
  const {state, error} = await recorded(sim, {...OPTS, timeoutMs: 5000})
  assert.equal((error as {exitCode?: number}).exitCode, ExitCode.verifyFailed)
  const [run] = state.runs
  assert.equal(run.status, 'failed')
  assert.deepEqual(run.steps.map((s) => `${s.id}:${s.status}`), ['switchover-release:changed', 'switchover-takeover:failed'])
  assert.match(run.steps[1].error ?? '', /node2 did not take over within 5 s/)
  assert.match(runsTable(state.runs, alive), /switchover\s+failed\s+2 steps, 1 changed, stopped at switchover-takeover/)
})

test('a refused switchover (the target already serves) did nothing and is no run', async () => {
  const sim = new SimPair(testConfig(), {node1: serving(), node2: standby()})
  const {state, error} = await recorded(sim, {...OPTS, to: 'node1'})
  assert.equal((error as {exitCode?: number}).exitCode, ExitCode.refused)
  assert.deepEqual(state.runs, [])
})
