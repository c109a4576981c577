/**
 * Start-up cost of every command, in CPU (user + system) of its process up to its first remote
 * byte (its first outgoing connect: the process stops there) or, for a command that connects
 * nowhere, to its exit. Beside it `node -e 0` under the same probe, runs interleaved so a busy
 * machine weighs on both alike. And the biggest imports: each module imported alone, beside the
 * same empty process.
 *
 * The probe is a --require preload: process.cpuUsage() is the whole process's CPU, bootstrap
 * included, so the figures compare with `/usr/bin/time` on the same commands.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const bin = join(root, 'bin/run.js')

const PROBE = `
const fs = require('node:fs'), net = require('node:net')
const report = (how) => { const u = process.cpuUsage(); fs.writeFileSync(process.env.HAPAIR_CPU_PROBE, how + ' ' + (u.user + u.system) / 1000) }
net.Socket.prototype.connect = function () { report('connect'); process.exit(0) }
process.on('exit', () => { if (!fs.existsSync(process.env.HAPAIR_CPU_PROBE)) report('exit') })
`

export interface StartupRow {
  what: string
  /** Median CPU ms of the process up to its first connect or its exit. */
  cpuMs: number
  /** Median of `node -e 0` in the same rounds. */
  nodeMs: number
  /** What ended the measurement: the first outgoing connect, or the process's exit. */
  until: 'connect' | 'exit'
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** A valid cluster file whose nodes are on loopback (nothing is reached: the probe stops at the connect). */
function clusterDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-startup-'))
  writeFileSync(
    join(dir, 'hapair.yaml'),
    [
      'name: startup', 'stack: keepalived', 'nodes:',
      '  - {name: node1, address: 127.0.0.1, ssh: {port: 9}}', '  - {name: node2, address: 127.0.0.2, ssh: {port: 9}}',
      'vip: {address: 127.0.0.100, prefix: 8, interface: lo}', 'storage: {disk: /dev/vdb, partition: {number: 1, size: rest}}',
      'filesystem: {mountPoint: /data}', 'nfs: {exports: [{path: /data, clients: 127.0.0.0/8}]}', 'keepalived: {virtualRouterId: 51}', '',
    ].join('\n'),
  )
  return dir
}

/** Each command's arguments; lab commands are left out (they drive the QEMU lab). */
export function startupCommands(dir: string): [string, string[]][] {
  const c = ['-c', join(dir, 'hapair.yaml')]
  return [
    ['--help', ['--help']],
    ['history', ['history', ...c]],
    ['status', ['status', ...c]],
    ['preflight', ['preflight', ...c]],
    ['run nfs-keepalived', ['run', 'nfs-keepalived', ...c]],
    ['run nfs-keepalived --dry-run', ['run', 'nfs-keepalived', '--dry-run', ...c]],
    ['partition', ['partition', ...c]],
    ['drbd-init', ['drbd-init', ...c]],
    ['ha-install', ['ha-install', ...c]],
    ['failover-test', ['failover-test', ...c]],
    ['split-brain recover', ['split-brain', 'recover', ...c]],
    ['init --yes', ['init', '--yes', '--force', '-c', join(dir, 'init.yaml'), '--node1', 'name=node1,address=127.0.0.1', '--node2', 'name=node2,address=127.0.0.2', '--vip', '127.0.0.100/8', '--interface', 'lo', '--disk', '/dev/vdb']],
    ['stauts (mistyped)', ['stauts', ...c]],
  ]
}

function probe(args: string[], dir: string): {ms: number; until: 'connect' | 'exit'} {
  const out = join(dir, `cpu-${process.pid}`)
  rmSync(out, {force: true})
  spawnSync(process.execPath, ['--require', join(dir, 'probe.cjs'), ...args], {stdio: 'ignore', cwd: dir, env: {...process.env, HAPAIR_CPU_PROBE: out, CI: 'true'}})
  const [until, ms] = readFileSync(out, 'utf8').split(' ')
  return {ms: Number(ms), until: until as 'connect' | 'exit'}
}

export function benchStartup(rounds = 7): StartupRow[] {
  const dir = clusterDir()
  writeFileSync(join(dir, 'probe.cjs'), PROBE)
  const commands = startupCommands(dir)
  const times = new Map<string, number[]>(commands.map(([what]) => [what, []]))
  const node: number[] = []
  const until = new Map<string, 'connect' | 'exit'>()
  try {
    // One unmeasured run of each first: after a build, it fills the compile cache (bin/compile-cache.js)
    // that every later start reads, so the medians are the starts an operator sees, not a cache fill.
    for (const [, args] of commands) probe([bin, ...args], dir)
    for (let r = 0; r < rounds; r++) {
      node.push(probe(['-e', '0'], dir).ms)
      for (const [what, args] of commands) {
        const got = probe([bin, ...args], dir)
        times.get(what)!.push(got.ms)
        until.set(what, got.until)
      }
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
  return commands.map(([what]) => ({what, cpuMs: median(times.get(what)!), nodeMs: median(node), until: until.get(what)!}))
}

/**
 * What commands load, each imported alone, as bin/run.js loads it: the bundled files
 * (scripts/bundle.js) with the code cache on. CPU beyond an empty process that sets up the same
 * cache (median of interleaved runs). A command file includes what it imports before it runs.
 */
export const IMPORTS = [
  './dist/bundle/vendor/oclif-core.cjs', './dist/bundle/vendor/ssh2.cjs', './dist/bundle/vendor/listr2.cjs', './dist/bundle/vendor/inquirer-prompts.cjs',
  './dist/bundle/vendor/yaml.cjs', './dist/bundle/vendor/zod.cjs', './dist/bundle/lib/oclif.cjs',
  './dist/bundle/commands/history.cjs', './dist/bundle/commands/status.cjs', './dist/bundle/commands/run.cjs', './dist/bundle/commands/init.cjs',
]

export function benchImports(rounds = 5): {module: string; cpuMs: number}[] {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-imports-'))
  writeFileSync(join(dir, 'probe.cjs'), PROBE)
  // A command file's own code cache entry, as bin/run.js keys it (by the command).
  const cache = (m = '') =>
    `const {enableCompileCache} = await import(${JSON.stringify(new URL('bin/compile-cache.js', `file://${root}/`).href)}); enableCompileCache(${JSON.stringify(join(dir, 'v8'))}, ${JSON.stringify(/commands\/([a-z-]+)\.cjs$/.exec(m)?.[1] ?? '')});`
  // Every bundled file is CommonJS, required as bin/run.js and the bundled files do (Node's import() of a CommonJS file bypasses the cache).
  const script = (m: string) => `${cache(m)} (await import('node:module')).createRequire(import.meta.url)(${JSON.stringify(join(root, m))})`
  const times = new Map<string, number[]>(IMPORTS.map((m) => [m, []]))
  const empty: number[] = []
  const run = (code: string) => {
    const out = join(dir, 'cpu')
    rmSync(out, {force: true})
    spawnSync(process.execPath, ['--require', join(dir, 'probe.cjs'), '--input-type=module', '-e', code], {stdio: 'ignore', cwd: root, env: {...process.env, HAPAIR_CPU_PROBE: out}})
    return Number(readFileSync(out, 'utf8').split(' ')[1])
  }
  try {
    for (const m of IMPORTS) run(script(m)) // fills the code cache
    for (let r = 0; r < rounds; r++) {
      empty.push(run(cache()))
      for (const m of IMPORTS) times.get(m)!.push(run(script(m)))
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
  const base = median(empty)
  return IMPORTS.map((module) => ({module, cpuMs: median(times.get(module)!) - base})).sort((a, b) => b.cpuMs - a.cpuMs)
}
