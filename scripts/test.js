#!/usr/bin/env node
// README's test command runs this (after the build): the unit suite, then the lab end-to-end
// suite, one file at a time (two emulated guests fill both cores). Ends with one plain
// "N passed, N failed" line that counts both suites.
import {spawnSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const suites = [
  {name: 'unit', dir: 'dist/test/unit', args: []},
  {name: 'lab', dir: 'dist/test/lab', args: ['--test-concurrency=1']},
]
const only = process.argv[2]
const out = mkdtempSync(join(tmpdir(), 'hapair-test-'))
let passed = 0
let failed = 0
let code = 0

for (const suite of suites.filter((s) => !only || s.name === only)) {
  if (!existsSync(suite.dir)) {
    console.error(`no ${suite.dir}: run "npm run build" first`)
    process.exit(1)
  }
  // The lab suite's files run in name order: 00-lab, 10-storage, ... share one lab.
  const files = suite.name === 'lab' ? readdirSync(suite.dir).filter((f) => f.endsWith('.test.js')).sort().map((f) => join(suite.dir, f)) : [suite.dir]
  const tap = join(out, `${suite.name}.tap`)
  console.log(`\n=== ${suite.name} tests ===`)
  const r = spawnSync(process.execPath, ['--test', ...suite.args, '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files], {stdio: 'inherit'})
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : ''
  passed += Number(/^# pass (\d+)/m.exec(text)?.[1] ?? 0)
  failed += Number(/^# fail (\d+)/m.exec(text)?.[1] ?? 0)
  if (r.status !== 0) code = r.status ?? 1
}
console.log(`\n${passed} passed, ${failed} failed`)
process.exit(code || (failed > 0 ? 1 : 0))
