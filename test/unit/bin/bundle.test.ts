/**
 * The build's bundle (scripts/bundle.js): bin/run.js runs oclif, the commands and their packages
 * from dist/bundle/, and they still find what sits beside them (package.json, runbooks/, ssh2's
 * files in node_modules). Which modules a run loads is read from a --require probe; start-up
 * time is `npm run bench`'s business, not a test's.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {after, before, describe, test} from 'node:test'
import {requirePrereq, skipUnlessCI} from '../../helpers/prereq.js'
import {sshdUnavailable, TestSshd} from '../transport/sshd-fixture.js'

const root = fileURLToPath(new URL('../../../..', import.meta.url))
const bin = join(root, 'bin', 'run.js')
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

// At exit: every CommonJS file the process loaded (ES modules imported from them included).
const PROBE = "process.on('exit', () => require('node:fs').writeFileSync(process.env.PROBE_OUT, JSON.stringify(Object.keys(require.cache))))\n"

/** bin/run.js in `cwd`, with the files it loaded. */
function hapair(args: string[], cwd: string) {
  const probe = join(cwd, 'probe.cjs')
  writeFileSync(probe, PROBE)
  const out = join(cwd, 'loaded.json')
  const r = spawnSync(process.execPath, ['--require', probe, bin, ...args], {encoding: 'utf8', cwd, env: {...process.env, NO_COLOR: '1', PROBE_OUT: out}})
  return {...r, loaded: JSON.parse(readFileSync(out, 'utf8')) as string[]}
}

/** A valid cluster file in a new directory (nodes on loopback); returns the directory. */
function clusterDir(ssh = '{port: 9}'): string {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-bundle-'))
  writeFileSync(
    join(dir, 'hapair.yaml'),
    [
      'name: bundle', 'stack: keepalived', 'nodes:',
      `  - {name: node1, address: 127.0.0.1, ssh: ${ssh}}`, `  - {name: node2, address: 127.0.0.2, ssh: ${ssh}}`,
      'vip: {address: 127.0.0.100, prefix: 8, interface: lo}', 'storage: {disk: /dev/vdb, partition: {number: 1, size: rest}}',
      'filesystem: {mountPoint: /data}', 'nfs: {exports: [{path: /data, clients: 127.0.0.0/8}]}', 'keepalived: {virtualRouterId: 51}', '',
    ].join('\n'),
  )
  return dir
}

test('the manifest and package.json name bundled files, and every one of them was built', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))
  const commands = Object.values(manifest.commands) as {id: string; relativePath: string[]}[]
  assert.ok(commands.length >= 20)
  for (const c of commands) {
    assert.deepEqual(c.relativePath.slice(0, 3), ['dist', 'bundle', 'commands'], c.id)
    assert.ok(existsSync(join(root, ...c.relativePath)), c.relativePath.join('/'))
  }
  for (const file of [pjson.oclif.helpClass, ...Object.values(pjson.oclif.hooks).flat()] as string[]) {
    assert.match(file, /^\.\/dist\/bundle\//)
    assert.ok(existsSync(join(root, file)), file)
  }
})

test('the bundled hapair answers --version and history, loading nothing from node_modules or dist/src', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'hapair-bundle-'))
  const version = hapair(['--version'], cwd)
  assert.equal(version.status, 0, version.stderr)
  assert.equal(version.stdout.trim(), `hapair/${pjson.version} ${process.platform}-${process.arch} node-${process.version}`)
  const history = hapair(['history'], cwd)
  assert.equal(history.status, 0, history.stderr)
  assert.equal(history.stdout.trim(), 'No runs recorded yet.')
  assert.ok(history.loaded.some((f) => f.endsWith('/dist/bundle/vendor/oclif-core.cjs')), 'oclif from the vendor file')
  // All of it CommonJS, so that the compile cache serves it: the entry, the cache, our code in one file.
  for (const file of ['bin/run.js', 'bin/compile-cache.js', 'dist/bundle/lib/app.cjs', 'dist/bundle/commands/history.cjs']) assert.ok(history.loaded.includes(join(root, file)), file)
  assert.deepEqual(history.loaded.filter((f) => f.includes('/node_modules/') || f.includes('/dist/src/')), [])
  // A command's lazy loading holds in the bundle: history reads no cluster file, needs no SSH, runs no tasks.
  assert.deepEqual(history.loaded.filter((f) => /\/vendor\/(yaml|ssh2|listr2|inquirer-prompts)\.cjs$/.test(f)), [])
})

test('our code is one CommonJS file: every command and hook file asks it for its module, so they share one copy of each', () => {
  const require = createRequire(import.meta.url)
  const status = require(join(root, 'dist/bundle/commands/status.cjs'))
  const history = require(join(root, 'dist/bundle/commands/history.cjs'))
  const hook = require(join(root, 'dist/bundle/hooks/suggest-command.cjs'))
  assert.equal(typeof hook.default, 'function')
  // One BaseCommand (one chalk, one HapairError, ...) under both commands.
  assert.equal(Object.getPrototypeOf(status.default), Object.getPrototypeOf(history.default))
  assert.equal(Object.getPrototypeOf(status.default).name, 'BaseCommand')
  assert.equal(Object.keys(require.cache).filter((f) => f.endsWith('/dist/bundle/lib/app.cjs')).length, 1)
  for (const file of readdirSync(join(root, 'dist/bundle/commands'))) assert.match(readFileSync(join(root, 'dist/bundle/commands', file), 'utf8'), /^module\.exports = require\("\.\.\/lib\/app\.cjs"\)\["commands\/[a-z-]+"\]\(\)\n$/, file)
})

test('the bundled files are ASCII and call no import() (bin/compile-cache.js runs them from cached data)', () => {
  const files = ['lib', 'vendor', 'commands', 'hooks'].flatMap((dir) => readdirSync(join(root, 'dist/bundle', dir)).map((f) => join(root, 'dist/bundle', dir, f)))
  assert.ok(files.length > 30)
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    assert.doesNotMatch(text, /[^\0-\x7f]/, file)
    assert.doesNotMatch(text, /\bimport\s*\((?!\s*\))/, file)
  }
})

test("the vendored oclif lists a plugin's commands in localeCompare's order without ICU's collator (scripts/bundle.js)", async () => {
  const require = createRequire(import.meta.url)
  const oclif = require(join(root, 'dist/bundle/vendor/oclif-core.cjs'))
  assert.match(readFileSync(join(root, 'dist/bundle/vendor/oclif-core.cjs'), 'utf8'), /\/\^\[a-z:-\]\*\$\/\.test\(a\.id\+b\.id\)/)
  const config = await oclif.Config.load(root)
  let checked = 0
  for (const plugin of config.plugins.values()) {
    const ids = plugin.commands.map((c: {id: string}) => c.id)
    assert.deepEqual(ids, [...ids].sort((a, b) => a.localeCompare(b)), plugin.name)
    checked += ids.length
  }
  assert.ok(checked >= 20)
})

test('run finds the runbooks and the cluster-file loader from the bundled files', () => {
  const cwd = clusterDir()
  const r = hapair(['run', 'no-such-runbook'], cwd)
  assert.equal(r.status, 2)
  assert.match(r.stderr, /no runbook "no-such-runbook"/)
  assert.match(r.stderr, /available: .*nfs-keepalived/) // runbooks/, found three levels above dist/bundle/lib/app.cjs
  const bad = hapair(['status', '--json', '-c', join(cwd, 'missing.yaml')], cwd)
  assert.equal(bad.status, 2)
  assert.equal(JSON.parse(bad.stdout).error.problems[0].message, 'the cluster file does not exist')
})

const missing = sshdUnavailable()
describe('the bundled ssh2 against a real sshd', {skip: skipUnlessCI(missing)}, () => {
  let sshd: TestSshd
  before(async () => {
    requirePrereq(missing)
    sshd = await TestSshd.start()
  })
  after(async () => {
    await sshd?.stop()
  })

  test('status logs in to node1 and reads it; node2 (nothing listens there) is reported unreachable', () => {
    const cwd = clusterDir(`{port: ${sshd.port}, user: root, identityFile: ${sshd.clientKey}, hostKey: '${sshd.hostFingerprint}'}`)
    const r = hapair(['status', '--json'], cwd)
    assert.equal(r.status, 3, r.stderr) // unhealthy: this machine runs no DRBD, no keepalived
    const {data} = JSON.parse(r.stdout)
    assert.deepEqual(data.nodes.map((n: {node: string; reachable: boolean}) => [n.node, n.reachable]), [['node1', true], ['node2', false]])
    assert.match(data.nodes[1].error, /connection refused/)
    assert.ok(r.loaded.some((f) => f.endsWith('/dist/bundle/vendor/ssh2.cjs')))
    // Its code from the vendor file; its compiled crypto binding, where the machine built one, from node_modules.
    assert.deepEqual(r.loaded.filter((f) => f.includes('/node_modules/ssh2/') && !f.endsWith('/sshcrypto.node')), [], 'ssh2 from the vendor file only')
  })
})
