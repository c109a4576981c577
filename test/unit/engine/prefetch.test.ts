import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runSteps, type RunSummary} from '../../../src/engine/runner.js'
import {prefetchScript, splitPrefetch} from '../../../src/engine/prefetch.js'
import {StateFile} from '../../../src/state/state-file.js'
import {FakeHost} from '../../../src/transport/fake-host.js'
import {SCRIPT_HEADER} from '../../../src/transport/host.js'
import {fileFactOutput, isPrefetch, prefetchReply, toyContext, toyFileStep} from './toy-step.js'

const STEPS = [1, 2, 3, 4].map(toyFileStep)
const pathOf = (part: string) => /\/etc\/toy\d\.conf/.exec(part)?.[0] ?? '?'
/** A plain (not prefetched) facts read of one toy file. */
const readsAlone = (path: string) => (s: string) => !isPrefetch(s) && s.includes('@@hapair-fact file') && s.includes(path)

async function run(hosts: FakeHost[], options = {}): Promise<RunSummary> {
  const state = new StateFile(mkdtempSync(join(tmpdir(), 'hapair-prefetch-')))
  const record = state.beginRun({command: 'run toy', runbook: 'toy', hapairVersion: '0', clusterFile: 'hapair.yaml', clusterHash: 'x', dryRun: false})
  const {params: _p, ...ctx} = toyContext({value: 1}, options)
  return runSteps({
    entries: STEPS.map((step) => ({step, params: {value: 1}})),
    ctx,
    hosts: new Map(hosts.map((h) => [h.node, h])),
    state,
    run: record,
    renderer: 'silent',
    secrets: [],
    signal: new AbortController().signal,
  })
}

test('a converged run reads every step\'s facts in exactly one remote call per node', async () => {
  const hosts = ['node1', 'node2'].map((n) => new FakeHost(n).expect(isPrefetch, prefetchReply(() => fileFactOutput('value=1\n'))))
  const summary = await run(hosts)
  assert.equal(summary.unchanged, 4)
  assert.deepEqual(summary.roundTrips, {node1: 1, node2: 1})
  for (const h of hosts) {
    h.done()
    assert.equal(h.calls.length, 1)
    for (const path of ['/etc/toy1.conf', '/etc/toy2.conf', '/etc/toy3.conf', '/etc/toy4.conf']) assert.ok(h.scripts[0].includes(path), `prefetch reads ${path}`)
  }
})

test('--dry-run plans every step from the same one prefetch per node', async () => {
  const hosts = ['node1', 'node2'].map((n) => new FakeHost(n).expect(isPrefetch, prefetchReply(() => fileFactOutput('value=0\n'))))
  const summary = await run(hosts, {dryRun: true})
  assert.equal(summary.planned, 4)
  assert.deepEqual(summary.roundTrips, {node1: 1, node2: 1})
  for (const h of hosts) h.done()
})

test('step 2 changes: it is verified by a fresh read, and steps 3 and 4 read their facts again (one call per node)', async () => {
  // node1 needs toy2 written; everything else is already right.
  const n1 = new FakeHost('node1')
    .expect(isPrefetch, prefetchReply((part) => fileFactOutput(pathOf(part) === '/etc/toy2.conf' ? 'value=0\n' : 'value=1\n')))
    .expect("mv -f \"$tmp\" '/etc/toy2.conf'")
    .expect(readsAlone('/etc/toy2.conf'), {stdout: fileFactOutput('value=1\n')})
    .expect((s) => isPrefetch(s) && s.includes('/etc/toy3.conf') && s.includes('/etc/toy4.conf') && !s.includes('/etc/toy2.conf') && !s.includes('/etc/toy1.conf'), prefetchReply(() => fileFactOutput('value=1\n')))
  const n2 = new FakeHost('node2')
    .expect(isPrefetch, prefetchReply(() => fileFactOutput('value=1\n')))
    .expect(readsAlone('/etc/toy2.conf'), {stdout: fileFactOutput('value=1\n')})
    .expect((s) => isPrefetch(s) && s.includes('/etc/toy3.conf') && !s.includes('/etc/toy2.conf'), prefetchReply(() => fileFactOutput('value=1\n')))
  const summary = await run([n1, n2])
  assert.deepEqual(summary.steps.map((s) => s.status), ['unchanged', 'changed', 'unchanged', 'unchanged'])
  assert.deepEqual(summary.roundTrips, {node1: 4, node2: 3})
  n1.done()
  n2.done()
})

test('a step whose prefetched part failed reads alone and fails with its own error', async () => {
  const hosts = ['node1', 'node2'].map((n) =>
    new FakeHost(n)
      .expect(isPrefetch, prefetchReply((part) => (pathOf(part) === '/etc/toy3.conf' && n === 'node2' ? {stdout: '', code: 7} : fileFactOutput('value=1\n'))))
      .expect(readsAlone('/etc/toy3.conf'), n === 'node2' ? {code: 7, stderr: 'ls: cannot access'} : {stdout: fileFactOutput('value=1\n')}),
  )
  // Only node2 reads toy3 alone; node1's prefetched part was fine, so its expectation stays unused.
  await assert.rejects(run(hosts), (e: Error & {data?: RunSummary}) => /node2 \[toy.file3\].*exited 7/.test(e.message) && e.data?.roundTrips.node2 === 2 && e.data?.roundTrips.node1 === 1)
  hosts[1].done()
  assert.throws(() => hosts[0].done(), /never ran/)
})

test('the composed script, run by bash: parts are kept apart, exit codes per part, exit and stdin contained', () => {
  const parts: [number, string][] = [
    [0, 'echo one'],
    [1, 'printf "no newline"'],
    [2, 'false\necho "not reached: set -e is back inside each part"'],
    [3, 'echo before-exit; exit 4'],
    [4, 'cat; echo "stdin was empty"'],
    [5, 'echo "@@hapair-step-other 9"; echo "@@hapair-step-deadbeef 1 is not a delimiter here"'],
  ]
  const nonce = '0123456789abcdef'
  const r = spawnSync('bash', ['-s'], {input: SCRIPT_HEADER + prefetchScript(parts, nonce), encoding: 'utf8'})
  assert.equal(r.status, 0)
  const got = splitPrefetch(r.stdout, nonce)
  assert.deepEqual(got.get(0), {stdout: 'one\n', code: 0})
  assert.deepEqual(got.get(1), {stdout: 'no newline', code: 0})
  assert.deepEqual(got.get(2), {stdout: '', code: 1})
  assert.deepEqual(got.get(3), {stdout: 'before-exit\n', code: 4})
  assert.deepEqual(got.get(4), {stdout: 'stdin was empty\n', code: 0})
  assert.deepEqual(got.get(5), {stdout: '@@hapair-step-other 9\n@@hapair-step-deadbeef 1 is not a delimiter here\n', code: 0})
  assert.equal(got.size, 6)
})

test('a part cut short (no closing line) is left out', () => {
  assert.deepEqual([...splitPrefetch('@@hapair-step-ab 0\nx\n\n@@hapair-step-ab-rc 0\n@@hapair-step-ab 1\npartial', 'ab')], [[0, {stdout: 'x\n', code: 0}]])
})
