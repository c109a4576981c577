/**
 * The per-run log: every remote command with its script, exit code, duration and output, so a
 * failed run can be read afterwards without re-running it with more verbosity. Secrets are masked
 * before anything touches the disk.
 */
import {appendFileSync, mkdirSync, openSync, closeSync} from 'node:fs'
import {join} from 'node:path'
import {maskEncoded} from '../state/secret-encodings.js'

/**
 * Replaces every secret with a mask, in every form it can take in a log: as itself, hex, and
 * base64 at each alignment (e.g. a file read with `base64 -w0`). Empty strings are ignored.
 */
export function mask(text: string, secrets: readonly string[]): string {
  return maskEncoded(text, secrets)
}

export interface RunLogEntry {
  node: string
  label: string
  script: string
  /** Missing when the command never finished (timeout, lost connection). */
  code?: number
  durationMs: number
  stdout: string
  stderr: string
  /** Why the command did not finish, if it did not. */
  error?: string
  /** The script carries secrets masking cannot see (e.g. base64 file content): log its label only. */
  sensitive?: boolean
}

export interface RunLogOptions {
  /** Directory of logs, e.g. `.hapair/logs` beside the cluster file. Created when missing. */
  dir: string
  /** The hapair command, used in the file name (`setup`, `drill`). */
  command: string
  /** Secret values to mask (from the secrets file). */
  secrets: readonly string[]
  now?: Date
}

export class RunLog {
  private constructor(
    readonly path: string,
    private readonly secrets: readonly string[],
  ) {}

  /** Creates `<dir>/<timestamp>-<command>.log` (0600; a suffix is added if that name is taken). */
  static create(opts: RunLogOptions): RunLog {
    mkdirSync(opts.dir, {recursive: true, mode: 0o700})
    const stamp = (opts.now ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')
    const command = opts.command.replace(/[^A-Za-z0-9_.-]+/g, '-')
    for (let n = 1; ; n++) {
      const path = join(opts.dir, `${stamp}-${command}${n === 1 ? '' : `-${n}`}.log`)
      try {
        closeSync(openSync(path, 'wx', 0o600))
        return new RunLog(path, opts.secrets)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
    }
  }

  /** Appends one remote command. Synchronous, so the log is complete even if the run crashes next. */
  record(entry: RunLogEntry): void {
    const outcome = entry.code === undefined ? `did not finish: ${entry.error ?? 'unknown reason'}` : `exit ${entry.code}`
    const parts = [
      `=== ${new Date().toISOString()} ${entry.node} "${entry.label}" ${outcome} (${Math.round(entry.durationMs)} ms)`,
      section('script', entry.sensitive ? '(not logged: carries secrets)' : entry.script),
      section('stdout', entry.stdout),
      section('stderr', entry.stderr),
    ]
    this.write(parts.join('') + '\n')
  }

  /** Appends a free-form line (connection events, step boundaries). */
  note(text: string): void {
    this.write(`--- ${new Date().toISOString()} ${text}\n`)
  }

  private write(text: string): void {
    appendFileSync(this.path, mask(text, this.secrets))
  }
}

function section(name: string, body: string): string {
  if (!body) return ''
  return `\n--- ${name}\n${body.endsWith('\n') ? body.slice(0, -1) : body}`
}
