#!/usr/bin/env node
// After tsc, before scripts/manifest.js: bundles what bin/run.js runs into dist/bundle/ with
// esbuild, so a command stops paying a module resolution and a file read for each of the ~400
// modules it used to load (@oclif/core and its dependencies, yaml, zod, our own); start-up cost:
// README, Benchmarks.
//
// One ES module per command (dist/bundle/commands/<id with - for :>.js), per oclif hook and for
// the help class, plus @oclif/core's entry (dist/bundle/lib/oclif.js) that bin/run.js starts:
// all in one esbuild run with code splitting, so they share one copy of each of our modules (a
// hook and a command see the same module state), and what a command imports with import() only
// when it needs it (ssh2's users, listr2, the prompts, the steps) stays a chunk of its own,
// loaded then. The biggest packages are CommonJS files of their own in dist/bundle/vendor/ (see
// VENDOR below), one copy each. scripts/manifest.js points oclif.manifest.json at the command
// files; package.json's `oclif.hooks` and `oclif.helpClass` name the bundled files.
//
// Every output file sits three directories below the package root, as dist/src/<area>/x.js does,
// so our modules' paths relative to their own file (../../../runbooks, ../../../package.json) hold.
// ssh2 is bundled too, but finds three things beside its own files (its compiled crypto binding,
// which it does without when absent; pagent.exe; poly1305's directory): the plugin below points
// those at node_modules/ssh2. Left out: cpu-features (ssh2's optional native helper) and the
// packages @oclif/core requires only in development (typescript, ts-node, tsx).
import {build} from 'esbuild'
import {readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(root, 'dist', 'src')
const BUNDLE_DIR = join(root, 'dist', 'bundle')
/** A command's bundled file, under dist/bundle/commands/: `lab:checkpoint:save` -> lab-checkpoint-save.js (scripts/manifest.js names the same). */
const commandFile = (id) => `${id.replaceAll(':', '-')}.js`

const walk = (dir) => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : f.endsWith('.js') ? [join(dir, f)] : []))
const commandsDir = join(src, 'commands')
// Bundled file (as package.json names it) <- its source. @oclif/plugin-not-found's hook is
// bundled too and named as one of our hooks (the plugin is not in `oclif.plugins`): loaded as a
// plugin it imported a second copy of @oclif/core, from node_modules, on every mistyped command.
const NAMED = {
  './dist/bundle/lib/oclif.js': 'dist/src/oclif.js',
  './dist/bundle/lib/help.js': 'dist/src/help/help.js',
  './dist/bundle/hooks/fault-hooks.js': 'dist/src/lab/fault-hooks.js',
  './dist/bundle/hooks/suggest-command.js': 'dist/src/hooks/suggest-command.js',
  './dist/bundle/hooks/not-found.js': 'node_modules/@oclif/plugin-not-found/lib/index.js',
}
const {oclif} = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
for (const file of [oclif.helpClass, ...Object.values(oclif.hooks).flat()]) if (!NAMED[file]) throw new Error(`package.json names ${file}: scripts/bundle.js does not build it`)
const entryPoints = [
  ...Object.entries(NAMED).map(([out, from]) => ({in: join(root, from), out: relative(BUNDLE_DIR, join(root, out)).slice(0, -3)})),
  ...walk(commandsDir).map((file) => ({in: file, out: `commands/${commandFile(relative(commandsDir, file).slice(0, -3).replaceAll('/', ':')).slice(0, -3)}`})),
]
for (const {out} of entryPoints) if (out.split('/').length !== 2) throw new Error(`bundle entry ${out}: every file must sit at dist/bundle/<dir>/<name>.js`)

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
// vendor files such a call goes to a function the ES modules' banner defines instead.
const IMPORT_CALL = /\bimport\((?!\s*['"`)])/g
const importByUrl = {
  name: 'import-by-url',
  setup(build) {
    build.onLoad({filter: /[\\/]node_modules[\\/].*\.js$/}, ({path}) => {
      const text = readFileSync(path, 'utf8')
      return IMPORT_CALL.test(text) ? {contents: text.replace(IMPORT_CALL, 'globalThis.__hapairImport('), loader: 'js'} : undefined
    })
  },
}
const common = {bundle: true, platform: 'node', target: 'node20', external: ['cpu-features', 'typescript', 'ts-node', 'tsx'], legalComments: 'none', minifyWhitespace: true, minifySyntax: true, logLevel: 'warning'}

rmSync(BUNDLE_DIR, {recursive: true, force: true})
for (const name of VENDOR) {
  await build({
    ...common,
    stdin: {contents: `module.exports = require(${JSON.stringify(name)})`, resolveDir: root, sourcefile: `${name}.cjs`},
    outfile: join(BUNDLE_DIR, 'vendor', vendorFile(name)),
    format: 'cjs',
    plugins: [besideSsh2, importByUrl, vendored('.', name)],
  })
}
const result = await build({
  entryPoints,
  outdir: BUNDLE_DIR,
  chunkNames: 'chunks/[name]-[hash]',
  ...common,
  splitting: true,
  format: 'esm',
  plugins: [besideSsh2, vendored('../vendor')],
  // The CommonJS dependencies bundled into ES modules still call require() for Node's built-ins
  // and for the plugin and hook files oclif loads by path.
  // The vendor files' import() (above) comes here.
  banner: {js: "import {createRequire as __hapairRequire} from 'node:module'; const require = __hapairRequire(import.meta.url); globalThis.__hapairImport ??= (url) => import(url);"},
  metafile: true,
})
const outputs = Object.entries(result.metafile.outputs)
const bytes = outputs.reduce((sum, [, o]) => sum + o.bytes, 0)
writeFileSync(join(BUNDLE_DIR, 'meta.json'), JSON.stringify(result.metafile))
console.log(`dist/bundle: ${entryPoints.length} entries, ${outputs.length} files, ${(bytes / 1024).toFixed(0)} KiB`)
