import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, statSync, writeFileSync, existsSync} from 'node:fs'
import {tmpdir, hostname} from 'node:os'
import {join} from 'node:path'
import {StateFile} from '../../../src/state/state-file.js'
import {runDetail, runsTable} from '../../../src/state/history-view.js'
import {runProcessAlive} from '../../../src/state/run-alive.js'
import {redact} from '../../../src/engine/redact.js'

const meta = {command: 'run x', hapairVersion: '0.0.0', clusterFile: 'h.yaml', clusterHash: 'ab', dryRun: false}

test('runs and steps are persisted, and an unfinished run is reported for resuming', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-state-'))
  const s = new StateFile(dir)
  const run = s.beginRun(meta)
  s.recordStep(run, {id: 'a', title: 'A', status: 'changed', startedAt: '', durationMs: 1, notes: [], planned: [], nodes: {}})
  s.finishRun(run, 'failed')
  const again = new StateFile(dir)
  assert.equal(again.runs.length, 1)
  assert.equal(again.unfinished()?.steps[0].id, 'a')
  assert.equal(statSync(join(dir, 'state.json')).mode & 0o777, 0o600)
})

test('redact keeps short facts, hashes secrets and long text', () => {
  const out = redact({ok: 'Connected', conf: 'auth_pass hunter22', big: 'x'.repeat(500), set: new Set(['a'])}, ['hunter22']) as Record<string, unknown>
  assert.equal(out.ok, 'Connected')
  assert.match(String(out.conf), /^sha256:[0-9a-f]{64}$/)
  assert.match(String(out.big), /^sha256:/)
  assert.deepEqual(out.set, ['a'])
  assert.ok(!JSON.stringify(out).includes('hunter22'))
})

test('history: a "running" run whose process is gone reads as abandoned; dry runs read as dry runs; reasons are whole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-state-'))
  const s = new StateFile(dir, () => new Date('2026-12-07T10:00:00Z'))
  const killed = s.beginRun(meta)
  const dry = s.beginRun({...meta, dryRun: true})
  s.recordStep(dry, {id: 'drbd.config', title: 'D', status: 'failed', startedAt: '', durationMs: 1, notes: [], planned: [], nodes: {}, error: 'node1 [drbd.config]: "write /etc/drbd.d/r0.res" exited 1\n    stderr:\n      drbdadm: parse error: near "handlers"'})
  s.finishRun(dry, 'failed')
  const gone = () => false
  const table = runsTable(s.runs, gone)
  assert.match(table, /^1 .*run x\s+abandoned \(process gone\)/m)
  assert.match(table, /^2 .*run x\s+dry run: failed/m)
  assert.match(runDetail(s.runs[0], () => true), /— running,/)
  const detail = runDetail(s.runs[1], gone)
  assert.match(detail, /error: node1 \[drbd\.config\]: "write \/etc\/drbd\.d\/r0\.res" exited 1\n.*stderr:\n.*drbdadm: parse error: near "handlers"/)
  // A failed dry run is not "the last run ended failed": the killed real run before it is.
  assert.equal(s.unfinished()?.id, killed.id)
})

test('a run records its pid and host; its process alive or gone decides', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-state-'))
  const s = new StateFile(dir)
  const run = s.beginRun(meta)
  assert.equal(run.pid, process.pid)
  assert.equal(runProcessAlive(run), true)
  assert.equal(runProcessAlive({...run, pid: 2 ** 22 + 4321}), false)
  assert.equal(runProcessAlive({...run, pid: undefined}), false)
  assert.equal(runProcessAlive({...run, host: 'elsewhere', pid: 2 ** 22 + 4321}), true)
})
