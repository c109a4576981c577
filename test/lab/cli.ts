/**
 * Drives the real hapair binary the way a user of the lab does: inside the lab's client
 * namespace, against the cluster file the lab wrote.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {NETNS_CLIENT} from '../../src/lab/topology.js'
import {labPaths} from '../../src/lab/paths.js'

export const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url))

export interface CliResult {
  code: number
  /** The signal that ended it, when one did (e.g. an interruption test's SIGKILL). */
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  json: any
  ms: number
}

export interface CliOptions {
  timeoutMs?: number
  configFile?: string
  signalAfterMs?: number
  env?: NodeJS.ProcessEnv
  /** Each complete stdout line as it arrives, with the process, so a test can act mid-run. */
  onLine?: (line: string, child: ChildProcess) => void
}

/** Runs `hapair -c <lab cluster file> ARGS` in the client namespace; never throws on exit codes. */
export function hapair(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const config = opts.configFile ?? labPaths().clusterFile
  const started = Date.now()
  return new Promise((resolve, reject) => {
    // `ip netns exec` execs node in place, so a signal to the child reaches hapair itself.
    const child = spawn('ip', ['netns', 'exec', NETNS_CLIENT, process.execPath, BIN, ...args, '-c', config], {
      env: {...process.env, CI: 'true', FORCE_COLOR: '0', ...opts.env},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let partial = ''
    child.stdout.on('data', (d) => {
      stdout += d
      if (!opts.onLine) return
      const lines = (partial + d).split('\n')
      partial = lines.pop()!
      for (const line of lines) opts.onLine(line, child)
    })
    child.stderr.on('data', (d) => (stderr += d))
    const kill = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20 * 60_000)
    const interrupt = opts.signalAfterMs ? setTimeout(() => child.kill('SIGINT'), opts.signalAfterMs) : undefined
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(kill)
      if (interrupt) clearTimeout(interrupt)
      let json: any
      if (args.includes('--json')) {
        try {
          json = JSON.parse(stdout)
        } catch {
          json = undefined
        }
      }
      resolve({code: code ?? (signal ? 128 : 1), signal, stdout, stderr, json, ms: Date.now() - started})
    })
  })
}

/** Fails with the command's output when it did not exit as expected. */
export function expectExit(r: CliResult, code: number, what: string): CliResult {
  if (r.code !== code) throw new Error(`${what}: expected exit ${code}, got ${r.code}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`)
  return r
}
