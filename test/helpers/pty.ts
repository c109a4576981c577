/**
 * hapair at a real pseudo-terminal, for the tests of what only a terminal shows (colour, the
 * wizard's prompts). util-linux `script` owns the pty (it is in every Debian install, so no new
 * dependency); the test writes keystrokes to its stdin and reads what the terminal received.
 *
 * Keys are sent only once the text they answer has appeared (`waitFor`), never after a fixed
 * sleep, so a slow machine makes the test slower, not flaky. Each wait reads on from where the
 * last one matched: a prompt asked again after a refusal is a new match.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const BIN = join(ROOT, 'bin', 'run.js')

/** Keys as a terminal sends them. */
export const KEY = {enter: '\r', down: '\x1b[B', up: '\x1b[A', clearLine: '\x15'} as const

// CSI (colours, cursor moves, erase) and OSC sequences: what is left is the text a reader sees.
const ESCAPES = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]/g

export const plainText = (raw: string) => raw.replace(ESCAPES, '')

export interface TerminalOptions {
  /** Added to a clean environment: PATH and HOME from this process, TERM=xterm-256color, no CI/NO_COLOR/FORCE_COLOR. */
  env?: Record<string, string>
  cwd?: string
  /** Wide enough that no prompt wraps (the wizard's host key question is long). */
  columns?: number
}

export class Terminal {
  /** Everything the terminal received, escape sequences and all. */
  raw = ''
  private readonly child: ChildProcessWithoutNullStreams
  private readonly exit: Promise<number | null>
  private seen = 0
  private wake: () => void = () => {}

  /** Starts `hapair ARGS` at a new pty of `columns` x 50. */
  constructor(args: string[], opts: TerminalOptions = {}) {
    const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`
    // chalk colours nothing when CI is set; the parent's NO_COLOR must not decide the test either.
    const env: Record<string, string> = {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', TERM: 'xterm-256color', HAPAIR_SSH_CONFIG: 'none', ...opts.env}
    const command = `stty cols ${opts.columns ?? 200} rows 50; exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`
    this.child = spawn('script', ['-qefc', command, '/dev/null'], {cwd: opts.cwd, env})
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.raw += chunk.toString()
      this.wake()
    })
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.raw += chunk.toString()
      this.wake()
    })
    this.exit = new Promise((resolve) => this.child.on('close', (code) => resolve(code)))
  }

  /** The plain text received so far. */
  get text(): string {
    return plainText(this.raw)
  }

  /** Waits until `pattern` appears after the last match; fails after `timeoutMs` showing the screen. */
  async waitFor(pattern: RegExp | string, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const rest = this.text.slice(this.seen)
      const found = typeof pattern === 'string' ? indexOf(rest, pattern) : pattern.exec(rest)
      if (found) {
        this.seen += found.index + found[0].length
        return found[0]
      }
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`the terminal never showed ${pattern}${this.child.exitCode !== null ? ` (hapair exited ${this.child.exitCode})` : ''}; it shows, after the last match:\n${rest.slice(-3000)}`)
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  /** Types `keys` (see KEY for the special ones). */
  send(keys: string): void {
    this.child.stdin.write(keys)
  }

  /** Waits for `prompt`, then types `keys`. */
  async answer(prompt: RegExp | string, keys: string): Promise<void> {
    await this.waitFor(prompt)
    this.send(keys)
  }

  /** The exit code once hapair ends (its pty closes with it). */
  async exited(timeoutMs = 60_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`hapair did not exit within ${timeoutMs / 1000} s; the terminal shows:\n${this.text.slice(-3000)}`)), timeoutMs)
    })
    try {
      return await Promise.race([this.exit, timeout])
    } finally {
      clearTimeout(timer)
      this.child.stdin.end()
    }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL')
  }
}

function indexOf(text: string, needle: string): {index: number; 0: string} | null {
  const index = text.indexOf(needle)
  return index < 0 ? null : {index, 0: needle}
}
