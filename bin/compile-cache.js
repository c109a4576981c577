// A V8 code cache for the CommonJS modules hapair loads from node_modules and for what
// scripts/bundle.js bundles (dist/bundle/: our own code in lib/app.cjs; vendor/: yaml, zod, ssh2,
// …): what Node 22's module.enableCompileCache() does, for Node 20. Compiling those modules
// is the largest part of a command's start-up CPU (a CPU profile shows it in the CJS loader's
// wrapSafe); with the cache V8 deserializes the compiled code instead. The key is the file's path,
// its content and the Node version, and V8 itself rejects data that does not fit its build and
// flags, so a stale entry is never used: it is only rewritten. Any failure (no cache dir, a
// read-only disk) falls back to Node's own compile, silently.
// CommonJS, as bin/run.js is (bin/package.json).
const {createHash} = require('node:crypto')
const {mkdirSync, readFileSync, renameSync, writeFileSync} = require('node:fs')
const Module = require('node:module')
const {dirname, join} = require('node:path')
const vm = require('node:vm')

/** An import() call (`import()` with nothing in it is no call: a message naming it). */
const DYNAMIC_IMPORT = /\bimport\s*\((?!\s*\))/

/**
 * Node's own code cache, when it has one (22+), else this one. Returns the cache in use (its dir,
 * and how many modules came from it or were compiled afresh so far), or undefined when none is.
 *
 * `variant` (the command, from bin/run.js) keys the entry of hapair's own code
 * (dist/bundle/lib/app.cjs) besides its content: an entry holds the functions compiled up to the
 * end of the run that wrote it, and every command runs a different part of that one file, so each
 * command keeps its own (status took 178 ms of CPU to its connect from history's entry, 156 from
 * its own).
 */
function enableCompileCache(dir, variant = '') {
  if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache(dir)
    return {dir, native: true, fromCache: 0, compiled: 0}
  }
  if (!makeDir(dir, 8)) return undefined
  const cache = {dir, native: false, fromCache: 0, compiled: 0}
  const compile = Module.prototype._compile
  const fresh = []
  Module.prototype._compile = function (content, filename) {
    // A module that uses import() is left to Node: a vm.Script resolves import() only through an
    // experimental option, which fails once the script comes from cached data (Node 20). The files
    // of dist/bundle/ have none (scripts/bundle.js makes sure), so are not searched for one.
    const bundled = filename.includes('/dist/bundle/')
    if (!(bundled || filename.includes('/node_modules/')) || (!bundled && DYNAMIC_IMPORT.test(content))) return compile.call(this, content, filename)
    const key = filename.endsWith('/dist/bundle/lib/app.cjs') ? `${filename}\0${variant}` : filename
    // content on its own: one string of it with the key before would be a copy of the whole file.
    const file = join(dir, createHash('sha1').update(`${process.version}\0${key}\0`).update(content).digest('hex'))
    let cachedData
    try {
      cachedData = readFileSync(file)
    } catch {}
    let script
    try {
      script = new vm.Script(Module.wrap(content), {filename, cachedData})
    } catch {
      return compile.call(this, content, filename) // let Node report the syntax error its own way
    }
    if (cachedData === undefined || script.cachedDataRejected) {
      fresh.push([file, script])
      cache.compiled += 1
    } else cache.fromCache += 1
    const mod = this
    const require = (id) => mod.require(id)
    require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options)
    require.resolve.paths = (request) => Module._resolveLookupPaths(request, mod)
    require.main = process.mainModule
    require.extensions = Module._extensions
    require.cache = Module._cache
    return script.runInThisContext({displayErrors: true}).call(mod.exports, mod.exports, require, mod, filename, dirname(filename))
  }
  // Written at exit, after the modules ran: the data then holds the functions they compiled lazily too.
  process.once('exit', () => {
    for (const [file, script] of fresh) {
      try {
        writeFileSync(`${file}.${process.pid}`, script.createCachedData())
        renameSync(`${file}.${process.pid}`, file)
      } catch {}
    }
  })
  return cache
}

/**
 * mkdir -p with a bound: Node's own recursive mkdirSync can loop for ever where mkdir answers
 * ENOENT whatever exists (a directory under /proc).
 */
function makeDir(dir, levels) {
  try {
    mkdirSync(dir)
    return true
  } catch (error) {
    if (error.code === 'EEXIST') return true
    if (error.code !== 'ENOENT' || levels === 0 || dirname(dir) === dir || !makeDir(dirname(dir), levels - 1)) return false
    try {
      mkdirSync(dir)
      return true
    } catch (again) {
      return again.code === 'EEXIST'
    }
  }
}

module.exports = {enableCompileCache}
