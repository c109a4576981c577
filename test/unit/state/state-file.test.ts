import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, statSync, writeFileSync, existsSync} from 'node:fs'
import {tmpdir, hostname} from 'node:os'
import {join} from 'node:path'
import {StateFile} from '../../../src/state/state-file.js'
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
