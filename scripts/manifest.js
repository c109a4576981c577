#!/usr/bin/env node
// After the build: writes oclif.manifest.json (what `oclif manifest` does) and renders the help
// of the root and of every command into dist/help/, so `hapair --help` prints a file instead
// of loading oclif and every command module (bin/run.js serves them). Rebuilt on every build,
// so the served help is always oclif's own for this code. Rendered at 100 columns (dist/help/,
// what pipes get) and at the common terminal widths (dist/help/<W>/); bin/run.js serves the
// page for the terminal's width and lets oclif render any other width live.
import {Config, Plugin} from '@oclif/core'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {default: Help} = await import(join(root, 'dist', 'src', 'help', 'help.js')) // the help class oclif is configured with (bundled there: dist/bundle/lib/help.cjs)
const plugin = new Plugin({root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true})
await plugin.load()
// oclif loads a command from the file the manifest names: the bundled one (scripts/bundle.js,
// run before this), which shares one copy of @oclif/core with bin/run.js. Without a manifest oclif
// would find the unbundled dist/src/commands (package.json's `oclif.commands`).
for (const [id, command] of Object.entries(plugin.manifest.commands)) {
  command.relativePath = ['dist', 'bundle', 'commands', `${id.replaceAll(':', '-')}.cjs`]
  command.isESM = false // required, not imported: see scripts/bundle.js
  if (!existsSync(join(root, ...command.relativePath))) throw new Error(`${id}: no ${command.relativePath.join('/')}; run scripts/bundle.js first`)
}
writeFileSync(join(root, 'oclif.manifest.json'), JSON.stringify(plugin.manifest))

const helpDir = join(root, 'dist', 'help')
mkdirSync(helpDir, {recursive: true})
// A fresh Config for every page: oclif's Help rewrites the ids of the commands it lists ("lab:up"
// becomes "lab up") in the shared Config, after which a topic page finds none of its commands.
const WIDTHS = [100, 80, 120]
async function render(argv, width) {
  const config = await Config.load(root)
  let out = ''
  const write = process.stdout.write
  process.stdout.write = (chunk) => ((out += chunk), true)
  try {
    await new Help(config, {maxWidth: width}).showHelp(argv)
  } finally {
    process.stdout.write = write
  }
  return out
}
for (const width of WIDTHS) {
  const dir = width === 100 ? helpDir : join(helpDir, String(width))
  mkdirSync(dir, {recursive: true})
  writeFileSync(join(dir, 'root.txt'), await render([], width))
  for (const id of Object.keys(plugin.manifest.commands)) writeFileSync(join(dir, `${id.replaceAll(':', ' ')}.txt`), await render([id], width))
  for (const topic of (await Config.load(root)).topics) writeFileSync(join(dir, `${topic.name.replaceAll(':', ' ')}.txt`), await render(topic.name.split(/[: ]/), width)) // a nested topic (lab checkpoint) is found only by its words
}
console.log(`oclif.manifest.json and dist/help: ${Object.keys(plugin.manifest.commands).length} commands at ${WIDTHS.join(', ')} columns`)
