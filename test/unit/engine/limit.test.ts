/** `--limit NODE`: only that node's changes are applied, the others named; pairwise steps refuse to change anything. */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {executeStep} from '../../../src/engine/execute-step.js'
import {FakeHost} from '../../../src/transport/fake-host.js'
import {RefusalError} from '../../../src/errors.js'
import {STEPS} from '../../../src/steps/index.js'
import {fileFactOutput, toyContext, toyStep} from './toy-step.js'
import {testStepHooks} from '../../helpers/step-hooks.js'

const hooks = testStepHooks()
const hosts = (...hs: FakeHost[]) => new Map(hs.map((h) => [h.node, h]))

test('--limit node2: both nodes read, only node2 written and verified; node1\'s change named in a note', async () => {
  const n1 = new FakeHost('node1').expect('@@hapair-fact file', {stdout: fileFactOutput('value=0\n')}).expect('@@hapair-fact file', {stdout: fileFactOutput('value=0\n')})
  const n2 = new FakeHost('node2')
    .expect('@@hapair-fact file', {stdout: fileFactOutput('value=0\n')})
    .expect("mv -f \"$tmp\" '/etc/toy.conf'")
    .expect('@@hapair-fact file', {stdout: fileFactOutput('value=1\n')})
  const {record} = await executeStep(toyStep, toyContext({value: 1}, {limit: 'node2'}), hosts(n1, n2), hooks)
  assert.equal(record.status, 'changed')
  assert.deepEqual(Object.keys(record.nodes).filter((n) => record.nodes[n].changes.length), ['node2'])
  assert.ok(!n1.scripts.some((s) => s.includes('mv -f')), 'node1 was written')
  assert.ok(record.notes.some((n) => /^--limit node2: 1 change on node1 left out/.test(n)), record.notes.join('\n'))
  n1.done()
  n2.done()
})

test('--limit: a node whose change is left out is unchanged; with nothing for the limited node the step is unchanged', async () => {
  const n1 = new FakeHost('node1').expect('@@hapair-fact file', {stdout: fileFactOutput('value=0\n')})
  const n2 = new FakeHost('node2').expect('@@hapair-fact file', {stdout: fileFactOutput('value=1\n')})
  const {record} = await executeStep(toyStep, toyContext({value: 1}, {limit: 'node2'}), hosts(n1, n2), hooks)
  assert.equal(record.status, 'unchanged')
  assert.match(record.notes.join('\n'), /left out/)
})

test('--limit: a pairwise step with something to do refuses, naming why and what to do; with nothing to do it passes', async () => {
  const pairwise = {...toyStep, pairwise: 'which side becomes Primary is decided from both nodes'}
  const n1 = new FakeHost('node1').expect('@@hapair-fact file', {stdout: fileFactOutput('value=0\n')})
  const n2 = new FakeHost('node2').expect('@@hapair-fact file', {stdout: fileFactOutput('value=1\n')})
  await assert.rejects(executeStep(pairwise, toyContext({value: 1}, {limit: 'node2'}), hosts(n1, n2), hooks), (e: RefusalError) => {
    assert.ok(e instanceof RefusalError)
    assert.match(e.message, /toy.file cannot run with --limit node2: which side becomes Primary is decided from both nodes; it has 1 change to make \(node1\)/)
    assert.match(e.hint ?? '', /without --limit/)
    return true
  })
  assert.ok(!n1.scripts.some((s) => s.includes('mv -f')))
  const c1 = new FakeHost('node1').expect('@@hapair-fact file', {stdout: fileFactOutput('value=1\n')})
  const c2 = new FakeHost('node2').expect('@@hapair-fact file', {stdout: fileFactOutput('value=1\n')})
  assert.equal((await executeStep(pairwise, toyContext({value: 1}, {limit: 'node2'}), hosts(c1, c2), hooks)).record.status, 'unchanged')
})

test('the steps whose decisions take both nodes are the pairwise ones', () => {
  const pairwise = [...STEPS.values()].filter((s) => s.pairwise).map((s) => s.id)
  assert.deepEqual(pairwise, ['drbd.metadata', 'drbd.primary', 'drbd.sync', 'filesystem.mkfs'])
})
