import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runSteps, type RunSummary} from '../../../src/engine/runner.js'
import {prefetchScript, splitPrefetch} from '../../../src/engine/prefetch.js'
import {RefusalError} from '../../../src/errors.js'
import type {StepContext} from '../../../src/engine/step.js'
import type {FileInfo} from '../../../src/facts/file.js'
import {StateFile} from '../../../src/state/state-file.js'
import {FakeHost} from '../../../src/transport/fake-host.js'
import {SCRIPT_HEADER, type Host} from '../../../src/transport/host.js'
import {countedToyStep, fileFactOutput, isPrefetch, LocalBashHost, prefetchReply, toyContext, toyFileStep} from './toy-step.js'

const STEPS = [1, 2, 3, 4].map(toyFileStep)
const pathOf = (part: string) => /\/etc\/toy\d\.conf/.exec(part)?.[0] ?? '?'
/** A plain (not prefetched) facts read of one toy file. */
const readsAlone = (path: string) => (s: string) => !isPrefetch(s) && s.includes('@@hapair-fact file') && s.includes(path)

async function run(hosts: Host[], options = {}, steps = STEPS): Promise<RunSummary> {
  const state = new StateFile(mkdtempSync(join(tmpdir(), 'hapair-prefetch-')))
  const record = state.beginRun({command: 'run toy', runbook: 'toy', hapairVersion: '0', clusterFile: 'hapair.yaml', clusterHash: 'x', dryRun: false})
  const {params: _p, ...ctx} = toyContext({value: 1}, options)
  return runSteps({
    entries: steps.map((step) => ({step, params: {value: 1}})),
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

test('every step changes: after each change the prefetch reads only the next step, whose stale facts predict a change', async () => {
  // Both nodes start with every toy file at value=0: each step writes, then verifies.
  const paths = ['/etc/toy1.conf', '/etc/toy2.conf', '/etc/toy3.conf', '/etc/toy4.conf']
  const onlyStep = (path: string) => (s: string) => isPrefetch(s) && paths.filter((p) => s.includes(p)).join() === path
  const hosts = ['node1', 'node2'].map((n) => {
    const h = new FakeHost(n).expect(isPrefetch, prefetchReply(() => fileFactOutput('value=0\n')))
    paths.forEach((path, i) => {
      if (i > 0) h.expect(onlyStep(path), prefetchReply(() => fileFactOutput('value=0\n')))
      h.expect(`mv -f "$tmp" '${path}'`).expect(readsAlone(path), {stdout: fileFactOutput('value=1\n')})
    })
    return h
  })
  const summary = await run(hosts)
  assert.deepEqual(summary.steps.map((s) => s.status), ['changed', 'changed', 'changed', 'changed'])
  // 1 prefetch + per step (write + verify) + one prefetch per later step: as many calls as before,
  // but the later prefetches read 1 step each, not 3 + 2 + 1.
  assert.deepEqual(summary.roundTrips, {node1: 12, node2: 12})
  for (const h of hosts) {
    h.done()
    assert.deepEqual(h.scripts.filter(isPrefetch).map((s) => paths.filter((p) => s.includes(p)).length), [4, 1, 1, 1])
  }
})

/** A fresh directory of toy files on a LocalBashHost, and the file its facts log their runs to. */
function localNode(files: Record<string, string>): {dir: string; host: LocalBashHost; runs: () => string[]} {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-forecast-'))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content, {mode: 0o644})
  const counter = join(dir, 'runs.log')
  return {dir, host: new LocalBashHost('node1'), runs: () => (existsSync(counter) ? readFileSync(counter, 'utf8').split('\n').filter(Boolean).map((p) => p.split('/').at(-1)!) : [])}
}
const counted = (dir: string, names: string[], value = 1) => names.map((n) => countedToyStep(`toy.${n}`, join(dir, n), value, join(dir, 'runs.log')))
const SIX = ['a', 'b', 'c', 'd', 'e', 'f']

test('a blank node (real bash): each step\'s facts run once before it and once to verify it, not again after every change', async () => {
  const {dir, host, runs} = localNode({})
  const summary = await run([host], {}, counted(dir, SIX))
  assert.deepEqual(summary.steps.map((s) => s.status), SIX.map(() => 'changed'))
  for (const n of SIX) assert.equal(readFileSync(join(dir, n), 'utf8'), 'value=1\n')
  // The first prefetch reads all six; after each change the next step's stale facts (no file)
  // predict a change, so the next prefetch reads that step alone.
  assert.deepEqual(runs(), ['a', 'b', 'c', 'd', 'e', 'f', 'a', 'b', 'b', 'c', 'c', 'd', 'd', 'e', 'e', 'f', 'f'], 'fact runs: 17 (27 when each change re-read all later steps)')
  assert.deepEqual(summary.roundTrips, {node1: 18})
})

test('real bash: converged reads each fact once in one call; one drift adds its write, its verification and one prefetch', async () => {
  const all = Object.fromEntries(SIX.map((n) => [n, 'value=1\n']))
  const converged = localNode(all)
  assert.deepEqual((await run([converged.host], {}, counted(converged.dir, SIX))).roundTrips, {node1: 1})
  assert.deepEqual(converged.runs(), SIX)
  const drift = localNode({...all, c: 'value=0\n'})
  const summary = await run([drift.host], {}, counted(drift.dir, SIX))
  assert.deepEqual(summary.steps.map((s) => s.status), ['unchanged', 'unchanged', 'changed', 'unchanged', 'unchanged', 'unchanged'])
  // d, e, f plan nothing on their stale facts: the one prefetch after the change reads all three.
  assert.deepEqual(drift.runs(), [...SIX, 'c', 'd', 'e', 'f'])
  assert.deepEqual(summary.roundTrips, {node1: 4})
})

test('real bash: a stale fact never reaches a plan, whichever way the forecast errs', async () => {
  // a, b and e keep the same file s (one shared block); c keeps t. s starts at 0.
  const {dir, host, runs} = localNode({s: 'value=0\n', t: 'value=1\n'})
  const [a, b] = counted(dir, ['s', 's'])
  const [c] = counted(dir, ['t'])
  const [e] = counted(dir, ['s'], 0)
  const steps = [a, b, c, e].map((step, i) => ({...step, id: `toy.${'abce'[i]}`}))
  const summary = await run([host], {}, steps)
  // b: its stale facts (s=0) predict a change, its fresh ones (s=1, a wrote it) plan none.
  // e: its stale facts (s=0) predict none, its fresh ones (s=1) plan the change back to 0.
  assert.deepEqual(summary.steps.map((s) => [s.id, s.status, s.notes[0]]), [
    ['toy.a', 'changed', 'saw value=0'],
    ['toy.b', 'unchanged', 'saw value=1'],
    ['toy.c', 'unchanged', 'saw value=1'],
    ['toy.e', 'changed', 'saw value=1'],
  ])
  assert.equal(readFileSync(join(dir, 's'), 'utf8'), 'value=0\n')
  // Prefetch a b c e (s once for three steps), verify a, prefetch b (up to the predicted change),
  // prefetch c e (neither predicted to change), verify e.
  assert.deepEqual(runs(), ['s', 't', 's', 's', 't', 's', 's'])
  assert.deepEqual(summary.roundTrips, {node1: 7})
})

test('real bash: a step whose plan throws on its stale facts ends the forecast range, then plans on fresh ones', async () => {
  const {dir, host, runs} = localNode({s: 'value=0\n', t: 'value=1\n', u: 'value=1\n'})
  const [a, b, c, d] = counted(dir, ['s', 's', 't', 'u'])
  // b refuses while s holds 0: on its stale facts only (a writes s=1 before b plans for real).
  const refusing = {...b, id: 'toy.b', plan: (ctx: StepContext, facts: Record<string, {file: FileInfo}>) => {
    if (facts.node1.file.content === 'value=0\n') throw new RefusalError('s still holds 0', 'run a first')
    return b.plan(ctx, facts)
  }}
  const summary = await run([host], {}, [a, refusing, c, d])
  assert.deepEqual(summary.steps.map((s) => s.status), ['changed', 'unchanged', 'unchanged', 'unchanged'])
  // Prefetch a b t u (s once), verify a, prefetch b alone (its forecast threw), then t and u.
  assert.deepEqual(runs(), ['s', 't', 'u', 's', 's', 't', 'u'])
  assert.deepEqual(summary.roundTrips, {node1: 5})
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
