#!/usr/bin/env node
// Entry point. `hapair --help` (and `hapair CMD --help`) print the help rendered at build time
// (scripts/manifest.js), without loading oclif: a help call then costs one file read.
// Everything else goes to oclif, which loads commands from dist/src/commands.
import {readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

const args = process.argv.slice(2)
const isHelp = (a) => a === '--help' || a === '-h'
let words
if (args.length === 0 || (args.length === 1 && (isHelp(args[0]) || args[0] === 'help'))) words = []
else if (args.length >= 2 && isHelp(args.at(-1)) && args.slice(0, -1).every((a) => /^[a-z][a-z-]*$/.test(a))) words = args.slice(0, -1)
else if (args[0] === 'help' && args.slice(1).every((a) => /^[a-z][a-z-]*$/.test(a))) words = args.slice(1)
if (words) {
  try {
    process.stdout.write(readFileSync(new URL(`../dist/help/${words.length ? words.join(' ') : 'root'}.txt`, import.meta.url), 'utf8'))
    process.exit(0)
  } catch {
    // not rendered (unknown command, or no build yet): oclif answers
  }
}
// Compiled code of the CommonJS dependencies, kept between runs (start-up cost: README, Benchmarks).
// HAPAIR_COMPILE_CACHE=DIR puts it elsewhere, =off turns it off.
if (process.env.HAPAIR_COMPILE_CACHE !== 'off') {
  const {enableCompileCache} = await import('./compile-cache.js')
  enableCompileCache(process.env.HAPAIR_COMPILE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'hapair', 'v8'))
}
// @oclif/core checks the Node version against its own `engines` (>=18) with semver on every
// start, which costs more CPU than the check is worth: hapair's own `engines` asks for 20.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'
const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
