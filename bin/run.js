#!/usr/bin/env node
// Entry point. `hapair --help` (and `hapair CMD --help`) print the help rendered at build time
// (scripts/manifest.js), without loading oclif: a help call then costs one file read.
// Everything else goes to oclif, bundled with the commands in dist/bundle/ (scripts/bundle.js).
// CommonJS (bin/package.json): an ES module entry costs every command ~7 ms of CPU more, for
// Node's ES module loader, before any of our code runs.
const {existsSync, readFileSync} = require('node:fs')
const {homedir} = require('node:os')
const {join} = require('node:path')

// The width help is wrapped to, as oclif chooses it: OCLIF_COLUMNS when set, the terminal's width
// at a terminal (40 at least); pipes and files get the 100 columns of dist/help/. A width with
// no pre-rendered page (dist/help/<W>/) is rendered live by oclif, at that same width.
function helpWidth() {
  const forced = Number.parseInt(process.env.OCLIF_COLUMNS ?? '', 10)
  if (forced > 0) return forced
  if (process.stdout.isTTY) return Math.max(40, process.stdout.columns || 80)
  return 100
}

const args = process.argv.slice(2)
const isHelp = (a) => a === '--help' || a === '-h'
let words
if (args.length === 0 || (args.length === 1 && (isHelp(args[0]) || args[0] === 'help'))) words = []
else if (args.length >= 2 && isHelp(args.at(-1)) && args.slice(0, -1).every((a) => /^[a-z][a-z-]*$/.test(a))) words = args.slice(0, -1)
else if (args[0] === 'help' && args.slice(1).every((a) => /^[a-z][a-z-]*$/.test(a))) words = args.slice(1)
if (words) {
  try {
    const width = helpWidth()
    const page = `${width === 100 ? '' : `${width}/`}${words.length ? words.join(' ') : 'root'}.txt`
    process.stdout.write(readFileSync(join(__dirname, '..', 'dist', 'help', page), 'utf8'))
    process.exit(0)
  } catch {
    // not rendered (unknown command, or no build yet): oclif answers
  }
}
// Compiled code of the bundled CommonJS files (ours and the dependencies'), kept between runs
// (start-up cost: README, Benchmarks). HAPAIR_COMPILE_CACHE=DIR puts it elsewhere, =off turns it
// off. Our own code's entry is kept per command: the longest run of leading words that names a
// command or topic (a help page of it was rendered), so a mistyped word adds no entry.
if (process.env.HAPAIR_COMPILE_CACHE !== 'off') {
  const {enableCompileCache} = require('./compile-cache.js')
  let variant = ''
  for (let n = 1; n <= 3 && /^[a-z][a-z-]*$/.test(args[n - 1] ?? ''); n++) {
    if (existsSync(join(__dirname, '..', 'dist', 'help', `${args.slice(0, n).join(' ')}.txt`))) variant = args.slice(0, n).join(' ')
  }
  enableCompileCache(process.env.HAPAIR_COMPILE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'hapair', 'v8'), variant)
}
// @oclif/core checks the Node version against its own `engines` (>=18) with semver on every
// start, which costs more CPU than the check is worth: hapair's own `engines` asks for 20.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'
// @oclif/core bundled with the commands, hooks and help class into dist/bundle/ (scripts/bundle.js):
// one file read for what were hundreds of modules, and one copy of oclif for all of them. All of
// it CommonJS, required, so that the compile cache serves it. oclif's own import() calls (a
// plugin's command, a hook given by URL) come to this function (scripts/bundle.js).
globalThis.__hapairImport ??= (url) => import(url)
const {execute} = require('../dist/bundle/lib/oclif.cjs')
execute({dir: join(__dirname, '..')}) // the package root: bin/package.json names no package
