/** `hapair report`'s bad input: exit 2 with the fix, before the cluster file is read or any node is dialled. */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const bin = fileURLToPath(new URL('../../../../bin/run.js', import.meta.url))
const hapair = (args: string[], cwd: string) => spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', cwd, env: {...process.env, NO_COLOR: '1'}})

test('report refuses a --since a shell could read, and an --output it would overwrite or cannot write, with exit 2', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'hapair-report-cmd-'))
  // No cluster file here at all: these refusals come first.
  const since = hapair(['report', '--since', "'; reboot"], cwd)
  assert.equal(since.status, 2)
  assert.match(since.stderr, /--since "'; reboot" is not a time journalctl takes/)
  assert.match(since.stderr, /hint: use letters, digits/)
  writeFileSync(join(cwd, 'old.tar.gz'), '')
  const exists = hapair(['report', '-o', 'old.tar.gz'], cwd)
  assert.equal(exists.status, 2)
  assert.match(exists.stderr, /old\.tar\.gz already exists; report does not overwrite it/)
  const nodir = hapair(['report', '-o', 'missing/x.tar.gz'], cwd)
  assert.equal(nodir.status, 2)
  assert.match(nodir.stderr, /missing is not a directory/)
  // With good flags it goes on to the cluster file, which is missing: still exit 2, naming it.
  const nofile = hapair(['report'], cwd)
  assert.equal(nofile.status, 2)
  assert.match(nofile.stderr, /hapair\.yaml/)
})
