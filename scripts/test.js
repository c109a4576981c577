#!/usr/bin/env node
// README's test command runs this (after the build): the unit suite, then the lab end-to-end
// suite, one file per node process, one after another (two emulated guests fill both cores, and
// the files share one lab in name order: 10-storage, 20-nfs-keepalived, ...). Prints each lab
// file's wall time and the totals (the suite budget is judged from these lines), then one plain
// "N passed, N failed" line that counts both suites.
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync, mkdtempSync, openSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'

const suites = [
  {name: 'unit', dir: 'dist/test/unit', args: []},
  {name: 'lab', dir: 'dist/test/lab', args: ['--test-concurrency=1']},
]
const only = process.argv[2]
const out = mkdtempSync(join(tmpdir(), 'hapair-test-'))
let passed = 0
let failed = 0
let code = 0
const times = []

/** One `node --test` run; returns its exit status and adds its counts. */
function runFiles(suite, files, tapName, env = process.env) {
  const tap = join(out, `${tapName.replaceAll("/", "-")}.tap`)
  const started = Date.now()
  const r = spawnSync(process.execPath, ['--test', ...suite.args, '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files], {stdio: 'inherit', env})
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : ''
  const counts = {pass: Number(/^# pass (\d+)/m.exec(text)?.[1] ?? 0), fail: Number(/^# fail (\d+)/m.exec(text)?.[1] ?? 0)}
  passed += counts.pass
  failed += counts.fail
  if (r.status !== 0) code = r.status ?? 1
  times.push({what: tapName, ms: Date.now() - started, ...counts})
}

const minutes = (ms) => `${(ms / 60_000).toFixed(1)} min`.padStart(9)

/**
 * The lab's base image, built beside the unit suite when both run: on a fresh machine the build
 * (downloads and native dpkg, about 3 minutes) would otherwise be the first thing the lab waits for.
 * Its output goes to a file, printed when the lab suite starts.
 */
function startImageBuild() {
  const script = 'dist/scripts/lab-image.js'
  if (!existsSync(script)) return undefined
  const log = join(out, 'lab-image.log')
  const started = Date.now()
  const fd = openSync(log, 'w')
  const child = spawn(process.execPath, [script], {stdio: ['ignore', fd, fd]})
  const done = new Promise((resolve) => child.on('close', (status) => resolve({status, ms: Date.now() - started})))
  return {log, done}
}

const imageBuild = !only ? startImageBuild() : undefined

for (const suite of suites.filter((s) => !only || s.name === only)) {
  if (!existsSync(suite.dir)) {
    console.error(`no ${suite.dir}: run "npm run build" first`)
    process.exit(1)
  }
  console.log(`\n=== ${suite.name} tests ===`)
  if (suite.name !== 'lab') {
    // Unit tests must not depend on the developer's ~/.ssh/config (a `Host *` User would change every loaded file).
    runFiles(suite, [suite.dir], suite.name, {...process.env, HAPAIR_SSH_CONFIG: process.env.HAPAIR_SSH_CONFIG ?? 'none'})
    continue
  }
  if (imageBuild) {
    const {status, ms} = await imageBuild.done
    const text = readFileSync(imageBuild.log, 'utf8').trim().split('\n')
    // A failed build is not fatal here: the first lab file builds again and fails with the reason.
    console.log(`lab image (built beside the unit suite, exit ${status}): ${text.at(-1)}`)
    if (status !== 0) console.log(text.slice(-30).join('\n'))
    times.push({what: `lab image, beside unit (${status === 0 ? text.at(-1).replace(/^lab image \S+: /, '') : 'failed'})`, ms, pass: NaN, fail: NaN})
  }
  const files = readdirSync(suite.dir).filter((f) => f.endsWith('.test.js')).sort()
  const started = Date.now()
  // The secret scan judges what this suite's hapair wrote, not logs an older hapair left beside
  // the lab's cluster file (they outlive `lab down` on purpose).
  const env = {...process.env, HAPAIR_LAB_SUITE_STARTED_MS: String(started)}
  for (const f of files) runFiles(suite, [join(suite.dir, f)], `lab/${basename(f, '.test.js')}`, env)
  times.push({what: 'lab total', ms: Date.now() - started, pass: NaN, fail: NaN})
}
console.log('\n=== wall time ===')
for (const t of times) console.log(`${minutes(t.ms)}  ${t.what}${Number.isNaN(t.pass) ? '' : `  (${t.pass} passed, ${t.fail} failed)`}`)
console.log(`\n${passed} passed, ${failed} failed`)
process.exit(code || (failed > 0 ? 1 : 0))
