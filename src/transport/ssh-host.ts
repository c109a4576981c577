/**
 * The real Host: one ssh2 connection per node, opened once and reused by every command of a run.
 * Each run() is one exec channel (`bash -s`, script on stdin): no quoting, no temp files, no extra
 * round trips, so a converged run stays fast. Opening the connection is ssh-connect.ts's.
 */
import {performance} from 'node:perf_hooks'
import {StringDecoder} from 'node:string_decoder'
import type {Client as SshClient, ClientChannel} from 'ssh2'
import {ConnectError, ExitCode, HapairError} from '../errors.js'
import {labelOf, wholeScript, type ExecOptions, type ExecResult, type Host} from './host.js'
import type {RunLog} from './run-log.js'

/** sshd's MaxSessions defaults to 10 channels per connection; stay under it. */
const MAX_PARALLEL_CHANNELS = 8
/** Channel open retries (5, 10, 15 ... ms apart: about 1 s in all). */
const OPEN_RETRIES = 20
/** The remote `timeout` fires this long after the local timer, as a backstop that kills the script. */
const REMOTE_TIMEOUT_GRACE_S = 2

export class SshHost implements Host {
  private lost: string | undefined
  private readonly slots = new Slots(MAX_PARALLEL_CHANNELS)
  private closing: Promise<void> | undefined

  constructor(
    readonly node: string,
    readonly address: string,
    private readonly client: SshClient,
    /** The login user; anyone but root goes through `sudo -n`. */
    private readonly user: string,
    private readonly commandTimeoutMs: number,
    private readonly log?: RunLog,
    /** Jump host connections this one runs over: closed with it. */
    private readonly jumps: SshClient[] = [],
  ) {
    client.on('error', (error: Error) => {
      this.lost ??= error.message
    })
    client.on('close', () => {
      this.lost ??= 'the connection was closed'
      for (const j of [...jumps].reverse()) j.end()
    })
  }

  async run(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const label = labelOf(script, opts)
    if (this.lost) throw new ConnectError(this.node, `cannot run "${label}": ${this.lost}`)
    await this.slots.acquire()
    try {
      return await this.exec(script, label, opts)
    } finally {
      this.slots.release()
    }
  }

  private exec(script: string, label: string, opts: ExecOptions): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? this.commandTimeoutMs
    // Closing the channel at the timeout does not reliably end the script on the node (a `sleep`
    // survives it under OpenSSH 9.2), so coreutils `timeout` runs it there too and kills its whole
    // process group shortly after our own timer fires. Costs one exec (~2-3 ms) per command.
    const remoteTimeout = timeoutMs > 0 ? `timeout -k 5 ${Math.ceil(timeoutMs / 1000) + REMOTE_TIMEOUT_GRACE_S} ` : ''
    const sudo = this.user !== 'root'
    const command = `${sudo ? 'sudo -n ' : ''}${remoteTimeout}bash -s`
    const started = performance.now()
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8')

    return new Promise<ExecResult>((resolve, reject) => {
      let channel: ClientChannel | undefined
      let timer: NodeJS.Timeout | undefined
      let done = false
      const finish = (outcome: {code: number} | {error: Error}) => {
        if (done) return
        done = true
        clearTimeout(timer)
        const durationMs = performance.now() - started
        const result = {node: this.node, label, stdout: text(stdout), stderr: text(stderr), durationMs}
        this.log?.record({
          ...result,
          script,
          code: 'code' in outcome ? outcome.code : undefined,
          error: 'error' in outcome ? outcome.error.message : undefined,
          sensitive: opts.sensitive,
        })
        if ('error' in outcome) return reject(outcome.error)
        if (sudo && outcome.code === 1 && sudoWantsPassword(result.stderr)) {
          return reject(
            new HapairError(
              `${this.node}: sudo asks ${this.user} for a password, so "${label}" cannot run as root`,
              ExitCode.stepFailed,
              'hapair runs commands through `sudo -n`. Allow it without a password (e.g. /etc/sudoers.d/hapair with "${this.user} ALL=(ALL) NOPASSWD: ALL"), or connect as root (nodes[].ssh.user: root).',
            ),
          )
        }
        resolve({...result, code: outcome.code})
      }

      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          finish({error: new ConnectError(this.node, `"${label}" did not finish within ${formatDuration(timeoutMs)}; it was stopped`, 'If the work is expected to take longer, raise its timeout.')})
          channel?.signal('KILL')
          channel?.close()
        }, timeoutMs)
      }

      const start = (attempt: number) => this.client.exec(command, (error, stream) => {
        if (error) {
          // sshd frees a session slot a little after the channel closes, so a burst of commands can
          // briefly hit MaxSessions ("no more sessions"); such an open failure is worth a retry.
          if (!done && !this.lost && /open failure/i.test(error.message) && attempt < OPEN_RETRIES) {
            return void setTimeout(() => start(attempt + 1), 5 * (attempt + 1))
          }
          return finish({error: new ConnectError(this.node, `cannot start "${label}": ${error.message}`)})
        }
        channel = stream
        if (done) return void stream.close() // timed out while the channel was opening
        const decoder = opts.onStdout ? new StringDecoder('utf8') : undefined
        let code: number | undefined
        stream.on('data', (chunk: Buffer) => {
          stdout.push(chunk)
          if (decoder) opts.onStdout!(decoder.write(chunk))
        })
        stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
        stream.on('exit', (exitCode: number | null, signal?: string) => {
          code = exitCode ?? signalExitCode(signal)
        })
        stream.on('close', () => {
          if (code === undefined) finish({error: new ConnectError(this.node, `connection lost while running "${label}"${this.lost ? `: ${this.lost}` : ''}`)})
          else finish({code})
        })
        stream.end(wholeScript(script))
      })
      start(0)
    })
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.lost) return resolve()
      const fallback = setTimeout(() => {
        this.client.destroy()
        resolve()
      }, 2000)
      this.client.once('close', () => {
        clearTimeout(fallback)
        resolve()
      })
      this.client.end()
    })
    return this.closing
  }
}

/**
 * `sudo -n` refused because the user needs a password (sudo 1.9 prints "sudo: a password is
 * required"; older ones, without -n support for the policy, "a terminal is required").
 */
export function sudoWantsPassword(stderr: string): boolean {
  return /^sudo: (a password is required|a terminal is required)/m.test(stderr)
}

/** A command killed by a signal reports no code; shells use 128 + the signal number. */
function signalExitCode(signal: string | undefined): number {
  const numbers: Record<string, number> = {HUP: 1, INT: 2, QUIT: 3, KILL: 9, SEGV: 11, PIPE: 13, ALRM: 14, TERM: 15}
  const n = signal ? numbers[signal.replace(/^SIG/, '')] : undefined
  return n ? 128 + n : 255
}

function formatDuration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`
}

/** A counting semaphore: at most `size` channels open at once, the rest wait their turn. */
class Slots {
  private used = 0
  private readonly waiting: Array<() => void> = []
  constructor(private readonly size: number) {}
  acquire(): Promise<void> {
    if (this.used < this.size) {
      this.used++
      return Promise.resolve()
    }
    return new Promise((resolve) => this.waiting.push(resolve))
  }
  release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.used--
  }
}
