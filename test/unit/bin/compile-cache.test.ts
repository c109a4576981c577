import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const cacheModule = new URL('../../../../bin/compile-cache.js', import.meta.url).href

/** A dir with node_modules/demo (CommonJS) and a script that loads it with the cache in `cache`. */
function fixture(): {dir: string; run: (cache: string) => {value: unknown; stats: {fromCache: number; compiled: number}}} {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-cc-'))
  mkdirSync(join(dir, 'node_modules', 'demo'), {recursive: true})
  writeFileSync(join(dir, 'node_modules', 'demo', 'package.json'), '{"name": "demo", "main": "index.js"}')
  writeFileSync(join(dir, 'node_modules', 'demo', 'helper.js'), 'exports.twice = (x) => 2 * x\n')
  writeFileSync(
    join(dir, 'node_modules', 'demo', 'index.js'),
    "const {twice} = require('./helper')\nmodule.exports = {value: twice(21), dir: __dirname, file: __filename, resolved: require.resolve('./helper'), self: this === module.exports}\n",
  )
  writeFileSync(join(dir, 'node_modules', 'demo', 'dynamic.js'), "module.exports = () => import('node:os').then((os) => typeof os.tmpdir)\n")
  writeFileSync(
    join(dir, 'main.mjs'),
    [
      `import {createRequire} from 'node:module'`,
      `const {enableCompileCache} = await import(${JSON.stringify(cacheModule)})`,
      `const stats = enableCompileCache(process.argv[2])`,
      `const require = createRequire(import.meta.url)`,
      `const demo = require('demo')`,
      `const dynamic = await require('demo/dynamic.js')()`,
      `console.log(JSON.stringify({value: {...demo, dynamic}, stats}))`,
    ].join('\n'),
  )
  return {
    dir,
    run: (cache) => {
      const r = spawnSync(process.execPath, [join(dir, 'main.mjs'), cache], {encoding: 'utf8'})
      assert.equal(r.status, 0, r.stderr)
      assert.equal(r.stderr, '', 'no warning printed')
      return JSON.parse(r.stdout)
    },
  }
}

test('compile cache: the second process takes compiled code from the cache and modules behave the same', () => {
  const {dir, run} = fixture()
  const cache = join(dir, 'cache', 'v8')
  const first = run(cache)
  const second = run(cache)
  const expected = {value: 42, dir: join(dir, 'node_modules', 'demo'), file: join(dir, 'node_modules', 'demo', 'index.js'), resolved: join(dir, 'node_modules', 'demo', 'helper.js'), self: true, dynamic: 'function'}
  assert.deepEqual(first.value, expected)
  assert.deepEqual(second.value, expected)
  // index.js and helper.js are cached; dynamic.js uses import(), which only Node's own compile serves.
  assert.deepEqual({fromCache: first.stats.fromCache, compiled: first.stats.compiled}, {fromCache: 0, compiled: 2})
  assert.deepEqual({fromCache: second.stats.fromCache, compiled: second.stats.compiled}, {fromCache: 2, compiled: 0})
  assert.equal(readdirSync(cache).length, 2)
})

test('compile cache: a changed module is compiled afresh, never run from stale data', () => {
  const {dir, run} = fixture()
  const cache = join(dir, 'cache')
  run(cache)
  writeFileSync(join(dir, 'node_modules', 'demo', 'helper.js'), 'exports.twice = (x) => 3 * x\n')
  const after = run(cache)
  assert.equal((after.value as {value: number}).value, 63)
  assert.deepEqual({fromCache: after.stats.fromCache, compiled: after.stats.compiled}, {fromCache: 1, compiled: 1})
})

test('compile cache: a dir that cannot be made (under /proc, where mkdir -p would loop) means no cache, and modules still load', () => {
  const {run} = fixture()
  const got = run('/proc/hapair-no-such/v8')
  assert.equal(got.stats, undefined)
  assert.equal((got.value as {value: number}).value, 42)
})

test("compile cache: hapair's own bundle (dist/bundle/lib/app.cjs) is kept once per command; other files once", () => {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-cc-'))
  mkdirSync(join(dir, 'dist', 'bundle', 'lib'), {recursive: true})
  mkdirSync(join(dir, 'dist', 'bundle', 'vendor'), {recursive: true})
  writeFileSync(join(dir, 'dist', 'bundle', 'lib', 'app.cjs'), 'exports.status = () => 1\nexports.history = () => 2\n')
  writeFileSync(join(dir, 'dist', 'bundle', 'vendor', 'dep.cjs'), 'exports.dep = 3\n')
  writeFileSync(
    join(dir, 'main.cjs'),
    [
      `const {enableCompileCache} = require(${JSON.stringify(new URL(cacheModule).pathname)})`,
      `const stats = enableCompileCache(process.argv[2], process.argv[3])`,
      `const app = require('./dist/bundle/lib/app.cjs')`,
      `const {dep} = require('./dist/bundle/vendor/dep.cjs')`,
      `console.log(JSON.stringify({value: app[process.argv[3]]() + dep, stats}))`,
    ].join('\n'),
  )
  const cache = join(dir, 'cache')
  const run = (command: string) => {
    const r = spawnSync(process.execPath, [join(dir, 'main.cjs'), cache, command], {encoding: 'utf8'})
    assert.equal(r.status, 0, r.stderr)
    const {value, stats} = JSON.parse(r.stdout)
    return {value, fromCache: stats.fromCache, compiled: stats.compiled}
  }
  assert.deepEqual(run('status'), {value: 4, fromCache: 0, compiled: 2})
  assert.deepEqual(run('history'), {value: 5, fromCache: 1, compiled: 1}) // the vendor file from the cache, app.cjs compiled for history
  assert.deepEqual(run('status'), {value: 4, fromCache: 2, compiled: 0})
  assert.deepEqual(run('history'), {value: 5, fromCache: 2, compiled: 0})
  assert.equal(readdirSync(cache).length, 3)
})
