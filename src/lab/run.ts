/**
 * Running host commands for the lab. Everything is spawned from an argv (never a shell string),
 * with the sbin directories on PATH because ip, debootstrap and mkfs live there and CI's PATH
 * may not have them.
 */
import {spawn} from 'node:child_process'
import {HapairError, ExitCode} from '../errors.js'
import type {LabLog} from './log.js'

const SBIN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

export function labEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const path = process.env.PATH ? `${SBIN_PATH}:${process.env.PATH}` : SBIN_PATH
  return {...process.env, PATH: path, LC_ALL: 'C', ...extra}
}

export interface RunResult {
  argv: string[]
  code: number
  stdout: string
  stderr: string
}

export class LabError extends HapairError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.stepFailed, hint)
  }
}

export interface RunOptions {
  input?: string
  env?: Record<string, string>
  timeoutMs?: number
  /** Each output line (stdout and stderr) goes here as it arrives. */
  onLine?: LabLog
}

/** Runs argv to completion; never throws for a non-zero exit (see mustRun). */
export function run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      env: labEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
      killSignal: 'SIGKILL',
    })
    let stdout = ''
    let stderr = ''
    let pending = ''
    const lines = (chunk: string) => {
      if (!options.onLine) return
      pending += chunk
      const parts = pending.split('\n')
      pending = parts.pop() ?? ''
      for (const line of parts) if (line.trim()) options.onLine(line)
    }
    child.stdout.setEncoding('utf8').on('data', (d: string) => ((stdout += d), lines(d)))
    child.stderr.setEncoding('utf8').on('data', (d: string) => ((stderr += d), lines(d)))
    child.on('error', (err) => reject(new LabError(`cannot run ${argv[0]}: ${err.message}`)))
    child.on('close', (code, signal) => {
      if (pending.trim() && options.onLine) options.onLine(pending)
      resolve({argv, code: code ?? (signal ? 128 : 1), stdout, stderr})
    })
    child.stdin.on('error', () => {}) // the command may exit without reading its input
    child.stdin.end(options.input ?? '')
  })
}

export function describeFailure(r: RunResult): string {
  const tail = (s: string) => s.trim().split('\n').slice(-20).join('\n    ')
  const out = [r.stderr.trim() && `  stderr:\n    ${tail(r.stderr)}`, r.stdout.trim() && `  stdout:\n    ${tail(r.stdout)}`]
  return [`"${r.argv.join(' ')}" exited ${r.code}`, ...out.filter(Boolean)].join('\n')
}

/** Runs argv and throws a LabError naming the command and its output when it fails. */
export async function mustRun(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(argv, options)
  if (result.code !== 0) throw new LabError(describeFailure(result))
  return result
}

/** Runs argv with the terminal attached (interactive ssh, `lab exec`); resolves to its exit code. */
export function runInteractive(argv: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {env: labEnv(), stdio: 'inherit'})
    child.on('error', (err) => reject(new LabError(`cannot run ${argv[0]}: ${err.message}`)))
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
  })
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
