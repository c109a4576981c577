import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'
import {DamagedStateError, openStateFile, StateFile} from '../../../src/state/state-file.js'

const BIN = fileURLToPath(new URL('../../../../bin/run.js', import.meta.url))
const meta = {command: 'run x', hapairVersion: '0.0.0', clusterFile: 'h.yaml', clusterHash: 'ab', dryRun: false}
const at = new Date('2026-12-07T15:00:00.000Z')

function stateDir(content?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-state-'))
  if (content !== undefined) writeFileSync(join(dir, 'state.json'), content)
  return dir
}

const good = () => {
  const dir = stateDir()
  const s = new StateFile(dir)
  s.finishRun(s.beginRun(meta), 'ok')
  return readFileSync(join(dir, 'state.json'), 'utf8')
}

describe('damaged state file', () => {
  const cases: [string, string, RegExp][] = [
    ['truncated', good().slice(0, 60), /not valid JSON/],
    ['runs not a list', '{"version": 1, "runs": {}}', /runs: Expected array/],
    ['a run without its steps', JSON.stringify({version: 1, runs: [{...meta, id: 'a', startedAt: 'x', status: 'ok'}]}), /runs\.0\.steps: Required/],
    ['an unknown status', JSON.stringify({version: 1, runs: [{...meta, id: 'a', startedAt: 'x', status: 'great', steps: []}]}), /runs\.0\.status/],
    ['a list', '[]', /\(top level\): Expected object/],
    ['empty', '', /not valid JSON/],
  ]
  for (const [what, content, why] of cases) {
    it(`${what}: an error naming the file and what is wrong, exit 2`, () => {
      const dir = stateDir(content)
      assert.throws(
        () => new StateFile(dir),
        (e: unknown) => e instanceof DamagedStateError && e.exitCode === 2 && e.message.startsWith(join(dir, 'state.json')) && why.test(e.message) && /--reset-state/.test(e.hint!),
      )
    })
  }

  it('--reset-state keeps it aside as state.json.damaged-<time> and starts a new history; a "no" keeps it in place', async () => {
    const dir = stateDir('{"version": 1, "runs": 7}')
    await assert.rejects(openStateFile(dir, {confirm: async () => false}), DamagedStateError)
    assert.ok(existsSync(join(dir, 'state.json')))
    const notices: string[] = []
    const s = await openStateFile(dir, {reset: true, now: () => at, notice: (t) => notices.push(t)})
    assert.deepEqual(s.runs, [])
    assert.deepEqual(readdirSync(dir).sort(), ['state.json.damaged-2026-12-07T15-00-00-000Z'])
    assert.equal(readFileSync(join(dir, 'state.json.damaged-2026-12-07T15-00-00-000Z'), 'utf8'), '{"version": 1, "runs": 7}')
    assert.match(notices[0], /kept aside as .*state\.json\.damaged-2026-12-07T15-00-00-000Z/)
    s.finishRun(s.beginRun(meta), 'ok')
    assert.equal(new StateFile(dir).runs.length, 1)
  })

  it('a "yes" at the terminal does the same', async () => {
    const dir = stateDir('garbage')
    assert.deepEqual((await openStateFile(dir, {confirm: async () => true, now: () => at})).runs, [])
  })

  it('a good file with keys a newer hapair added still reads', () => {
    const data = JSON.parse(good())
    data.extra = 1
    data.runs[0].newField = 'x'
    assert.equal(new StateFile(stateDir(JSON.stringify(data))).runs.length, 1)
  })
})

describe('hapair history (the real binary)', () => {
  const run = (dir: string, args: string[]) =>
    promisify(execFile)(process.execPath, [BIN, 'history', ...args, '-c', join(dir, 'hapair.yaml')], {env: {...process.env, CI: 'true'}}).then(
      (r) => ({code: 0, ...r}),
      (e: {code: number; stdout: string; stderr: string}) => e,
    )

  it('a damaged state file: exit 2 naming it; --reset-state sets it aside and shows the empty history', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hapair-history-'))
    mkdirSync(join(dir, '.hapair'))
    writeFileSync(join(dir, '.hapair', 'state.json'), '{"version": 1, "runs": [')
    const damaged = await run(dir, [])
    assert.equal(damaged.code, 2)
    assert.match(damaged.stderr, /\.hapair\/state\.json: the state file is damaged \(not valid JSON/)
    const reset = await run(dir, ['--reset-state'])
    assert.equal(reset.code, 0, reset.stderr)
    assert.match(reset.stdout, /No runs recorded yet/)
    assert.ok(readdirSync(join(dir, '.hapair')).some((f) => f.startsWith('state.json.damaged-')))
  })

  it('history abc / history 0: exit 2, not a run number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hapair-history-'))
    for (const bad of ['abc', '0', '1.5']) {
      const r = await run(dir, [bad])
      assert.equal(r.code, 2, bad)
      assert.match(r.stderr, new RegExp(`"${bad.replace('.', '\\.')}" is not a run number`))
    }
  })
})

describe('state file updates are atomic', () => {
  it('a reader never sees half a file while another process saves it again and again', async () => {
    const dir = stateDir()
    const module = new URL('../../../src/state/state-file.js', import.meta.url).href
    const writer = `const {StateFile} = await import(${JSON.stringify(module)}); const s = new StateFile(${JSON.stringify(dir)}); for (let i = 0; i < 300; i++) { const r = s.beginRun({command: 'w' + i, hapairVersion: '0', clusterFile: 'x', clusterHash: 'x', dryRun: false, drills: [{pad: 'x'.repeat(2000)}]}); s.finishRun(r, 'ok') }`
    const child = execFile(process.execPath, ['--input-type=module', '-e', writer])
    const done = new Promise<number | null>((resolve) => child.on('exit', resolve))
    let exited = false
    void done.then(() => (exited = true))
    let reads = 0
    while (!exited) {
      // Throws DamagedStateError (failing the test) if a read ever catches a partly written file.
      new StateFile(dir)
      reads++
      await new Promise((r) => setImmediate(r))
    }
    assert.equal(await done, 0)
    assert.ok(reads > 0)
    assert.equal(new StateFile(dir).runs.length, 100, 'the newest 100 runs are kept')
  })
})
