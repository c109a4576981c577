import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync, execFileSync} from 'node:child_process'
import {mkdtempSync, writeFileSync, truncateSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {blankGuard} from '../../../../src/steps/common/blank-guard.js'

// wipefs probes regular files as it probes block devices, so real signatures can be tested here.
const guarded = (path: string) => spawnSync('bash', ['-c', `set -euo pipefail\n${blankGuard(path, 'not touching')}echo went-ahead`], {encoding: 'utf8'})

test('a blank device passes the guard', () => {
  const f = join(mkdtempSync(join(tmpdir(), 'hapair-guard-')), 'blank.img')
  writeFileSync(f, '')
  truncateSync(f, 8 * 1024 * 1024)
  const r = guarded(f)
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /went-ahead/)
})

test('a device holding a filesystem stops the command and names what was found', () => {
  const f = join(mkdtempSync(join(tmpdir(), 'hapair-guard-')), 'ext4.img')
  writeFileSync(f, '')
  truncateSync(f, 8 * 1024 * 1024)
  execFileSync('mkfs.ext4', ['-q', '-F', f])
  const r = guarded(f)
  assert.equal(r.status, 1)
  assert.doesNotMatch(r.stdout, /went-ahead/)
  assert.match(r.stderr, /not touching: .* is not blank any more \(found: ext4\)/)
})
