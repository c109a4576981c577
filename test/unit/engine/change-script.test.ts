import {test} from 'node:test'
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, statSync, writeFileSync, readdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileWriteScript} from '../../../src/engine/change-script.js'
import type {FileChange} from '../../../src/engine/step.js'

const change = (path: string, content: string, extra: Partial<FileChange> = {}): FileChange => ({kind: 'file', node: 'n', title: 't', path, content, mode: 0o600, before: null, ...extra})
const bash = (script: string) => execFileSync('bash', ['-c', `set -euo pipefail\n${script}`], {encoding: 'utf8'})

test('writes content byte-exact with the mode, creating the directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-'))
  const path = join(dir, 'sub dir', "it's.conf")
  const content = "quotes ' \" $HOME `x` \\ and unicode ✓\nHAPAIR_EOF\nlast"
  bash(fileWriteScript(change(path, content)))
  assert.equal(readFileSync(path, 'utf8'), content)
  assert.equal(statSync(path).mode & 0o777, 0o600)
})

test('a failing validation leaves the old file and no temp file behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-'))
  const path = join(dir, 'x.conf')
  writeFileSync(path, 'old\n')
  assert.throws(() => bash(fileWriteScript(change(path, 'new\n', {validate: 'grep -q valid {}'}))))
  assert.equal(readFileSync(path, 'utf8'), 'old\n')
  assert.deepEqual(readdirSync(dir), ['x.conf'])
})

test('a passing validation sees the new content at the temp path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-'))
  const path = join(dir, 'x.conf')
  bash(fileWriteScript(change(path, 'valid\n', {validate: 'grep -q valid {}', mode: 0o644})))
  assert.equal(readFileSync(path, 'utf8'), 'valid\n')
  assert.equal(statSync(path).mode & 0o777, 0o644)
})
