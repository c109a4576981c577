import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {listRunbooks, loadRunbook, RUNBOOK_DIR, selectEntries} from '../../../src/engine/runbook.js'
import {runbookNames} from '../../../src/engine/runbook-file.js'
import {STEPS} from '../../../src/steps/index.js'
import {STEP_IDS} from '../../../src/steps/ids.js'
import {UsageError} from '../../../src/errors.js'

test('every shipped runbook loads and names only known steps', () => {
  const books = listRunbooks()
  assert.ok(books.length > 0, `no runbooks found in ${RUNBOOK_DIR}`)
  for (const {name} of books) {
    const rb = loadRunbook(name)
    assert.ok(rb.entries.length > 0, `${name} has no steps`)
    for (const e of rb.entries) assert.ok(STEPS.has(e.step.id))
  }
})

test('the step id list (checked before connecting, without loading steps) is exactly the registry', () => {
  assert.deepEqual([...STEP_IDS], [...STEPS.keys()])
})

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-rb-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

const someStep = () => [...STEPS.keys()][0]

test('includes expand in place; include loops and unknown steps are usage errors', () => {
  const id = someStep()
  const dir = dirWith({
    'a.yaml': `name: a\nsteps:\n  - include: b\n  - {id: ${id}, with: {x: 1}}\n`,
    'b.yaml': `name: b\nsteps: [${id}]\n`,
    'loop.yaml': `steps: [{include: loop}]\n`,
    'bad.yaml': `steps: [no.such.step]\n`,
  })
  const rb = loadRunbook('a', dir)
  assert.deepEqual(rb.entries.map((e) => e.params), [{}, {x: 1}])
  assert.throws(() => loadRunbook('loop', dir), /include loop/)
  assert.throws(() => loadRunbook('bad', dir), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && /no.such.step/.test((e as Error).message))
  assert.throws(() => loadRunbook('missing', dir), /no runbook "missing"/)
})

test('--only and --from select steps; unknown names are refused', () => {
  const ids = [...STEPS.keys()].slice(0, 3)
  if (ids.length < 3) return assert.fail('need at least three registered steps')
  const entries = ids.map((id) => ({step: STEPS.get(id)!, params: {}}))
  assert.deepEqual(selectEntries(entries, {from: ids[1]}).map((e) => e.step.id), ids.slice(1))
  assert.deepEqual(selectEntries(entries, {only: [ids[2]]}).map((e) => e.step.id), [ids[2]])
  assert.throws(() => selectEntries(entries, {only: ['nope']}), /not in this runbook/)
})

test('a malformed runbook, a missing include and an unknown step name the runbook file (exit 2); a broken sibling does not break the list', () => {
  const dir = dirWith({
    'broken.yaml': 'name: broken\nsteps: [storage.partition\n',
    'outer.yaml': 'name: outer\nsteps:\n  - storage.partition\n  - include: nowhere\n',
    'typo.yaml': 'name: typo\nsteps: [storage.partitoin]\n',
    'bomb.yaml': ['a: &a [x,x,x,x,x,x,x,x,x,x]', ...'bcdefgh'.split('').map((l, i) => `${l}: &${l} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(',')}]`)].join('\n') + '\n',
  })
  const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && e.exitCode === 2 && re.test((e as Error).message)
  assert.throws(() => loadRunbook('broken', dir), usage(new RegExp(`^${join(dir, 'broken.yaml')}: runbook YAML syntax`)))
  assert.throws(() => loadRunbook('outer', dir), usage(new RegExp(`^${join(dir, 'outer.yaml')}: steps\\[1\\]: include "nowhere" names no runbook`)))
  assert.throws(() => loadRunbook('typo', dir), usage(new RegExp(`^${join(dir, 'typo.yaml')}: steps\\[0\\]: unknown step "storage.partitoin"`)))
  assert.throws(() => loadRunbook('bomb', dir), usage(/bomb\.yaml: YAML aliases expand too far/))
  assert.deepEqual(listRunbooks(dir).find((r) => r.name === 'broken'), {name: 'broken', summary: '(cannot be read)'})
})

test("runbookNames lists the runbooks without reading them, in localeCompare's order (code points for plain names)", () => {
  const localeOrder = (names: string[]) => [...names].sort((a, b) => a.localeCompare(b))
  assert.deepEqual(runbookNames(), listRunbooks().map((r) => r.name))
  assert.deepEqual(runbookNames(), localeOrder(runbookNames()))
  const plain = dirWith({'b-2.yaml': '', 'b.yaml': '', 'a10.yaml': '', 'a-b.yaml': '', 'a9.yaml': '', 'notes.txt': ''})
  assert.deepEqual(runbookNames(plain), localeOrder(['b-2', 'b', 'a10', 'a-b', 'a9']))
  const mixed = dirWith({'Zeta.yaml': '', 'alpha.yaml': '', 'beta_2.yaml': '', 'beta.yaml': ''}) // code points would put Zeta first
  assert.deepEqual(runbookNames(mixed), ['alpha', 'beta', 'beta_2', 'Zeta'])
  assert.deepEqual(runbookNames(mixed), localeOrder(runbookNames(mixed)))
})
