#!/usr/bin/env node
// After the build: writes oclif.manifest.json (what `oclif manifest` does) and renders the help
// of the root and of every command into dist/help/, so `hapair --help` prints a file instead
// of loading oclif and every command module (bin/run.js serves them). Rebuilt on every build,
// so the served help is always oclif's own for this code.
import {Config, Help, Plugin} from '@oclif/core'
import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const plugin = new Plugin({root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true})
await plugin.load()
writeFileSync(join(root, 'oclif.manifest.json'), JSON.stringify(plugin.manifest))

const helpDir = join(root, 'dist', 'help')
mkdirSync(helpDir, {recursive: true})
// A fresh Config for every page: oclif's Help rewrites the ids of the commands it lists ("lab:up"
// becomes "lab up") in the shared Config, after which a topic page finds none of its commands.
async function render(argv) {
  const config = await Config.load(root)
  let out = ''
  const write = process.stdout.write
  process.stdout.write = (chunk) => ((out += chunk), true)
  try {
    await new Help(config, {maxWidth: 100}).showHelp(argv)
  } finally {
    process.stdout.write = write
  }
  return out
}
writeFileSync(join(helpDir, 'root.txt'), await render([]))
for (const id of Object.keys(plugin.manifest.commands)) writeFileSync(join(helpDir, `${id.replaceAll(':', ' ')}.txt`), await render([id]))
for (const topic of (await Config.load(root)).topics) writeFileSync(join(helpDir, `${topic.name.replaceAll(':', ' ')}.txt`), await render(topic.name.split(/[: ]/))) // a nested topic (lab checkpoint) is found only by its words
console.log(`oclif.manifest.json and dist/help: ${Object.keys(plugin.manifest.commands).length} commands`)
