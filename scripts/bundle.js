#!/usr/bin/env node
// After tsc, before scripts/manifest.js: bundles what bin/run.js runs into dist/bundle/ with
// esbuild, so a command stops paying a module resolution and a file read for each of the ~400
// modules it used to load (@oclif/core and its dependencies, yaml, zod, our own); start-up cost:
// README, Benchmarks.
//
// All of it CommonJS, so that bin/compile-cache.js keeps its compiled code between runs (Node 20
// keeps none of an ES module). Our code is one file, dist/bundle/lib/app.cjs, holding each of our
// modules once (a hook and a command see the same module state) and running each only when the
// first file that needs it is loaded; every command (dist/bundle/commands/<id with - for :>.cjs),
// oclif hook, the help class and @oclif/core's entry that bin/run.js starts (dist/bundle/lib/
// oclif.cjs) is a one-line file that asks app.cjs for its module (see APP below). The biggest
// packages are CommonJS files of their own in dist/bundle/vendor/ (see VENDOR below), one copy
// each. scripts/manifest.js points oclif.manifest.json at the command files; package.json's
// `oclif.hooks` and `oclif.helpClass` name the bundled files.
//
// app.cjs sits three directories below the package root, as dist/src/<area>/x.js does,
// so our modules' paths relative to their own file (../../../runbooks, ../../../package.json) hold.
// ssh2 is bundled too, but finds three things beside its own files (its compiled crypto binding,
// which it does without when absent; pagent.exe; poly1305's directory): the plugin below points
// those at node_modules/ssh2. Left out: cpu-features (ssh2's optional native helper) and the
// packages @oclif/core requires only in development (typescript, ts-node, tsx).
import {build} from 'esbuild'
import {mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(root, 'dist', 'src')
const BUNDLE_DIR = join(root, 'dist', 'bundle')
/** A command's bundled file, under dist/bundle/commands/: `lab:checkpoint:save` -> lab-checkpoint-save.js (scripts/manifest.js names the same). */
const commandFile = (id) => `${id.replaceAll(':', '-')}.cjs`

const walk = (dir, ext = '.js') => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f), ext) : f.endsWith(ext) ? [join(dir, f)] : []))
const commandsDir = join(src, 'commands')
// Bundled file (as package.json names it) <- its source. @oclif/plugin-not-found's hook is
// bundled too and named as one of our hooks (the plugin is not in `oclif.plugins`): loaded as a
// plugin it imported a second copy of @oclif/core, from node_modules, on every mistyped command.
const NAMED = {
  './dist/bundle/lib/oclif.cjs': 'dist/src/oclif.js',
  './dist/bundle/lib/help.cjs': 'dist/src/help/help.js',
  './dist/bundle/hooks/fault-hooks.cjs': 'dist/src/lab/fault-hooks.js',
  './dist/bundle/hooks/suggest-command.cjs': 'dist/src/hooks/suggest-command.js',
  './dist/bundle/hooks/not-found.cjs': 'node_modules/@oclif/plugin-not-found/lib/index.js',
}
const {oclif} = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
for (const file of [oclif.helpClass, ...Object.values(oclif.hooks).flat()]) if (!NAMED[file]) throw new Error(`package.json names ${file}: scripts/bundle.js does not build it`)
const entryPoints = [
  ...Object.entries(NAMED).map(([out, from]) => ({in: join(root, from), out: relative(BUNDLE_DIR, join(root, out)).slice(0, -4)})),
  ...walk(commandsDir).map((file) => ({in: file, out: `commands/${commandFile(relative(commandsDir, file).slice(0, -3).replaceAll('/', ':')).slice(0, -4)}`})),
]
for (const {out} of entryPoints) if (out.split('/').length !== 2) throw new Error(`bundle entry ${out}: every file must sit at dist/bundle/<dir>/<name>.cjs`)

const nodeModules = join(root, 'node_modules')
const besideSsh2 = {
  name: 'beside-ssh2',
  setup(build) {
    // require('./crypto/build/Release/sshcrypto.node') -> require('ssh2/lib/protocol/crypto/build/Release/sshcrypto.node')
    build.onResolve({filter: /\.node$/}, ({path, resolveDir}) => ({path: relative(nodeModules, join(resolveDir, path)), external: true}))
    build.onResolve({filter: /^ssh2\/lib\//}, ({path}) => ({path, external: true})) // the require.resolve() below
    // __dirname -> the directory of the file in node_modules/ssh2
    build.onLoad({filter: /[\\/]node_modules[\\/]ssh2[\\/].*\.js$/}, ({path}) => {
      const text = readFileSync(path, 'utf8')
      if (!text.includes('__dirname')) return undefined
      return {contents: `var __dirname = require('node:path').dirname(require.resolve(${JSON.stringify(relative(nodeModules, path))}));\n${text}`, loader: 'js'}
    })
  },
}

// Packages bundled as CommonJS files of their own, dist/bundle/vendor/<name>.cjs, which the ES
// modules require: Node 20 keeps no compiled code of an ES module between runs, but
// bin/compile-cache.js does for these (yaml's first parse of a cluster file: 9-15 ms compiled
// afresh, 3-5 ms from the cache). A vendor file requires another package of this list from its
// own vendor file, so there is one copy of each (listr2's prompt adapter and listr2).
const VENDOR = ['@oclif/core', 'yaml', 'zod', 'ssh2', 'listr2', '@inquirer/prompts', '@listr2/prompt-adapter-inquirer']
// What a vendor file holds, when not the whole package: of ssh2, hapair uses the client and the key
// parser (src/transport/); its index also loads the server, the HTTP agents (and with them Node's
// http, https and tls) and the key generator: 2-4 ms of CPU for nothing.
const VENDOR_ENTRY = {
  ssh2: {resolveDir: join(root, 'node_modules', 'ssh2'), contents: "module.exports = {Client: require('./lib/client.js'), utils: {parseKey: require('./lib/protocol/keyParser.js').parseKey}}"},
}
const vendorFile = (name) => `${name.replace(/^@/, '').replace('/', '-')}.cjs`
/** `import … from 'yaml'` -> require('../vendor/yaml.cjs') (from a vendor file: './yaml.cjs'); `self` is bundled in. */
const vendored = (dir, self) => ({
  name: 'vendored',
  setup(build) {
    build.onResolve({filter: /^[@a-z]/}, ({path}) => (VENDOR.includes(path) && path !== self ? {path, namespace: 'vendored'} : undefined))
    build.onLoad({filter: /.*/, namespace: 'vendored'}, ({path}) => ({contents: `module.exports = require(${JSON.stringify(`${dir}/${vendorFile(path)}`)})`, loader: 'js'}))
    build.onResolve({filter: /.*/, namespace: 'vendored'}, ({path}) => ({path, external: true}))
  },
})
// A CommonJS file that calls import() is compiled by Node itself, never from the cache (see
// bin/compile-cache.js), and @oclif/core imports the commands and hooks it loads by URL: in the
// vendor files such a call goes to a function bin/run.js defines instead.
const IMPORT_CALL = /\bimport\((?!\s*['"`)])/g
// @oclif/core sorts a plugin's commands with localeCompare on every start: the first call builds
// ICU's collator, ~6 ms of CPU. For ids of lower-case letters, '-' and ':' (every hapair id) the
// plain code-point order is the same order (CLDR's root collation puts '-' before ':' before the
// letters, as ASCII does; test/unit/bin/bundle.test.ts checks it); any other id still gets localeCompare.
const OCLIF_SORT = '.sort((a, b) => a.id.localeCompare(b.id))'
const PLAIN_SORT = ".sort((a, b) => (/^[a-z:-]*$/.test(a.id + b.id) ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.id.localeCompare(b.id)))"
const vendorPatches = {
  name: 'vendor-patches',
  setup(build) {
    build.onLoad({filter: /[\\/]node_modules[\\/].*\.js$/}, ({path}) => {
      let text = readFileSync(path, 'utf8')
      const original = text
      if (/[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/.test(path)) {
        if (!text.includes(OCLIF_SORT)) throw new Error(`${path}: no "${OCLIF_SORT}" to replace; check the patch against this @oclif/core`)
        text = text.replace(OCLIF_SORT, PLAIN_SORT)
      }
      text = text.replace(IMPORT_CALL, 'globalThis.__hapairImport(')
      return text === original ? undefined : {contents: text, loader: 'js'}
    })
  },
}
/**
 * esbuild writes ASCII but for regular expression literals (an ANSI pattern has U+009B): one such
 * character makes V8 hold the whole file as a two-byte string, which is read, hashed and compiled
 * slower. \uXXXX means the same character in a string, a template or a regular expression.
 */
function asciiOnly(file) {
  const text = readFileSync(file, 'utf8')
  if (!/[^\0-\x7f]/.test(text)) return
  if (/String\.raw`[^`]*[^\0-\x7f]/.test(text)) throw new Error(`${file}: a non-ASCII character in String.raw, where \\u would not mean it`)
  writeFileSync(file, text.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))
}
const common = {bundle: true, platform: 'node', target: 'node20', external: ['cpu-features', 'typescript', 'ts-node', 'tsx'], legalComments: 'none', minifyWhitespace: true, minifySyntax: true, logLevel: 'warning'}

rmSync(BUNDLE_DIR, {recursive: true, force: true})
for (const name of VENDOR) {
  await build({
    ...common,
    stdin: {contents: `module.exports = require(${JSON.stringify(name)})`, resolveDir: root, ...VENDOR_ENTRY[name], sourcefile: `${name}.cjs`},
    outfile: join(BUNDLE_DIR, 'vendor', vendorFile(name)),
    format: 'cjs',
    plugins: [besideSsh2, vendorPatches, vendored('.', name)],
  })
  asciiOnly(join(BUNDLE_DIR, 'vendor', vendorFile(name)))
}
// Our own code: one CommonJS file, dist/bundle/lib/app.cjs, holding every module once. Its entry
// (generated below) maps each bundled file's name to a function that require()s its source: esbuild
// turns a require() of an ES module into a lazy initialiser, so a module runs when the first file
// that needs it is loaded, and once (a hook and a command see the same module state: chalk's
// level, HapairError for instanceof). The files package.json and the manifest name
// (dist/bundle/<dir>/<name>.cjs) are one line each that ask app.cjs for theirs. CommonJS because
// bin/compile-cache.js keeps V8's compiled code of CommonJS files between runs and Node 20 keeps
// none of an ES module: compiling our ~300 KiB afresh on every run was most of what an ES module
// bundle cost.
const APP = 'lib/app.cjs'
const appEntry = entryPoints.map(({in: from, out}) => `exports[${JSON.stringify(out)}] = () => require(${JSON.stringify(from)})`).join('\n')
const result = await build({
  ...common,
  stdin: {contents: appEntry, resolveDir: root, sourcefile: 'app.cjs'},
  outfile: join(BUNDLE_DIR, APP),
  format: 'cjs',
  plugins: [besideSsh2, vendorPatches, vendored('../vendor')],
  // import.meta.url of the module's own file: app.cjs sits three levels below the package root,
  // as dist/src/<area>/x.js does (runbooks/, package.json).
  define: {'import.meta.url': '__hapairMetaUrl'},
  banner: {js: "var __hapairMetaUrl = require('node:url').pathToFileURL(__filename).href;"},
  metafile: true,
})
for (const {out} of entryPoints) {
  const file = join(BUNDLE_DIR, `${out}.cjs`)
  mkdirSync(dirname(file), {recursive: true})
  writeFileSync(file, `module.exports = require(${JSON.stringify(relative(dirname(file), join(BUNDLE_DIR, APP)).replace(/^(?!\.)/, './'))})[${JSON.stringify(out)}]()\n`)
}
asciiOnly(join(BUNDLE_DIR, APP))
// bin/compile-cache.js runs every file of dist/bundle/ from V8's cached data without looking for
// import() in it, which a script from cached data cannot call (Node 20): there must be none.
const DYNAMIC_IMPORT = /\bimport\s*\((?!\s*\))/
for (const file of walk(BUNDLE_DIR, '.cjs')) if (DYNAMIC_IMPORT.test(readFileSync(file, 'utf8'))) throw new Error(`${relative(root, file)} has "import(": bin/compile-cache.js would run it from cached data, where import() fails`)
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0)
writeFileSync(join(BUNDLE_DIR, 'meta.json'), JSON.stringify(result.metafile))
console.log(`dist/bundle: ${entryPoints.length} entries in ${APP}, ${(bytes / 1024).toFixed(0)} KiB`)
