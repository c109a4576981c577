import {test} from 'node:test'
import assert from 'node:assert/strict'
import {executeStep, type StepHooks} from '../../../src/engine/execute-step.js'
import {FakeHost} from '../../../src/transport/fake-host.js'
import {RefusalError, VerifyError} from '../../../src/errors.js'
import type {Step} from '../../../src/engine/step.js'
import {factSet} from '../../../src/facts/fact.js'
import {fileFact} from '../../../src/facts/file.js'
import {fileFactOutput, toyContext, toyStep} from './toy-step.js'
import {testStepHooks} from '../../helpers/step-hooks.js'

const hooks = (over: Partial<StepHooks> = {}): StepHooks => testStepHooks({secrets: ['abcdefgh'], ...over})

const hosts = (...hs: FakeHost[]) => new Map(hs.map((h) => [h.node, h]))

test('converged: one facts call per node, no change, a note, nothing applied', async () => {
  const n1 = new FakeHost('node1').expect('@@hapair-fact file', {stdout: fileFactOutput('value=1\n')})
  const n2 = new FakeHost('node2').expect('@@hapair-fact file', {stdout: fileFactOutput('value=1\n')})
  const {record, plan} = await executeStep(toyStep, toyContext(), hosts(n1, n2), hooks())
  assert.equal(record.status, 'unchanged')
  assert.equal(plan.changes.length, 0)
  assert.deepEqual(record.notes, ['toy.conf already right'])
  n1.done()
  n2.done()
})

test('differs on one node: only that node is written, then facts are re-read to verify', async () => {
  const n1 = new FakeHost('node1').expect('@@hapair-fact file', {stdout: fileFactOutput('value=1\n')})
  const n2 = new FakeHost('node2')
    .expect('@@hapair-fact file', {stdout: fileFactOutput('value=0\n')})
    .expect("mv -f \"$tmp\" '/etc/toy.conf'", {code: 0})
    .expect('@@hapair-fact file', {stdout: fileFactOutput('value=1\n')})
  n1.expect('@@hapair-fact file', {stdout: fileFactOutput('value=1\n')})
  const {record} = await executeStep(toyStep, toyContext(), hosts(n1, n2), hooks())
  assert.equal(record.status, 'changed')
  assert.equal(record.nodes.node2.changes.length, 1)
  assert.equal(record.nodes.node2.changes[0].path, '/etc/toy.conf')
  assert.equal(record.nodes.node1.changes.length, 0)
  n1.done()
  n2.done()
})

test('dry run: plans, applies nothing', async () => {
  const n1 = new FakeHost('node1').expect('@@hapair-fact file', {stdout: fileFactOutput(null)})
  const n2 = new FakeHost('node2').expect('@@hapair-fact file', {stdout: fileFactOutput('value=1\n')})
  const {record} = await executeStep(toyStep, toyContext({value: 1}, {dryRun: true}), hosts(n1, n2), hooks())
  assert.equal(record.status, 'planned')
  assert.equal(record.planned.length, 1)
  assert.match(record.planned[0], /\+value=1/)
  n1.done()
  n2.done()
})

test('verification fails (exit 3) when the re-read facts still differ', async () => {
  const n1 = new FakeHost('node1')
    .expect('@@hapair-fact file', {stdout: fileFactOutput('value=0\n')})
    .expect('mv -f', {})
    .expect('@@hapair-fact file', {stdout: fileFactOutput('value=0\n')})
  const n2 = new FakeHost('node2').expect('@@hapair-fact file', {stdout: fileFactOutput('value=1\n')}).expect('@@hapair-fact file', {stdout: fileFactOutput('value=1\n')})
  await assert.rejects(executeStep(toyStep, toyContext(), hosts(n1, n2), hooks()), (e: unknown) => e instanceof VerifyError && e.exitCode === 3 && /still differs/.test(e.message))
})

test('a failing remote command names node, step and command output', async () => {
  const n1 = new FakeHost('node1').expect('@@hapair-fact file', {stdout: fileFactOutput(null)}).expect('mv -f', {code: 1, stderr: 'mkdir: cannot create directory: Read-only file system'})
  const n2 = new FakeHost('node2').expect('@@hapair-fact file', {stdout: fileFactOutput('value=1\n')})
  await assert.rejects(executeStep(toyStep, toyContext(), hosts(n1, n2), hooks()), (e: Error) => /node1 \[toy.file\]: "write \/etc\/toy.conf" exited 1/.test(e.message) && /Read-only/.test(e.message))
})

const destroyStep: Step = {
  id: 'toy.destroy',
  title: 'Toy destroyer',
  nodes: (ctx) => [ctx.nodes[0]],
  facts: () => factSet({file: fileFact('/x')}),
  plan: (ctx) => ({changes: [{kind: 'command', node: 'node1', title: 'wipe', script: 'wipefs -a /dev/vdb', destroys: 'ext4 filesystem on /dev/vdb'}], notes: []}),
}

test('a destroying change without --wipe is refused before anything runs', async () => {
  const n1 = new FakeHost('node1').expect('@@hapair-fact file', {stdout: fileFactOutput(null)})
  await assert.rejects(executeStep(destroyStep, toyContext(), hosts(n1), hooks()), (e: unknown) => e instanceof RefusalError && /ext4 filesystem on \/dev\/vdb/.test((e as Error).message))
  assert.ok(!n1.scripts.some((s) => s.includes('wipefs')))
})

test('a destroying change with --wipe still needs confirmation; declined means nothing runs', async () => {
  const n1 = new FakeHost('node1').expect('@@hapair-fact file', {stdout: fileFactOutput(null)})
  let asked = ''
  await assert.rejects(
    executeStep(destroyStep, toyContext({}, {wipe: true}), hosts(n1), hooks({confirmDestroy: async (c) => ((asked = c.destroys), false)})),
    RefusalError,
  )
  assert.equal(asked, 'ext4 filesystem on /dev/vdb')
  assert.ok(!n1.scripts.some((s) => s.includes('wipefs')))
})

test('a validator that quotes a secret in its complaint: the error and the step record carry it masked', async () => {
  const n1 = new FakeHost('node1').expect('@@hapair-fact file', {stdout: fileFactOutput(null)}).expect('mv -f', {code: 1, stderr: 'parse error near: shared-secret "abcdefgh" (base64 YWJjZGVmZ2g=)'})
  const n2 = new FakeHost('node2').expect('@@hapair-fact file', {stdout: fileFactOutput('value=1\n')})
  const error = await executeStep(toyStep, toyContext(), hosts(n1, n2), hooks()).then(() => assert.fail('succeeded'), (e: Error & {stepRecord?: {error?: string}}) => e)
  assert.match(error.message, /shared-secret "\*{8}"/)
  assert.doesNotMatch(error.message, /abcdefgh|YWJjZGVmZ2g/)
  assert.equal(error.stepRecord?.error, error.message)
})
