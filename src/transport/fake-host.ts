/**
 * A strict recording Host for unit tests of steps (nock's idea applied to shell scripts): every
 * script must be expected, every expectation must be used. A step that runs something unplanned,
 * or skips something planned, fails its test instead of passing quietly.
 */
import {labelOf, type ExecOptions, type ExecResult, type Host} from './host.js'

export type ScriptMatch = RegExp | string | ((script: string) => boolean)

export interface FakeReply {
  stdout?: string
  stderr?: string
  code?: number
  /** Reject as a transport failure would (lost connection, timeout) instead of returning. */
  throws?: Error
}

export interface FakeCall {
  script: string
  label: string
  opts: ExecOptions
}

interface Expectation {
  match: ScriptMatch
  reply: FakeReply | ((script: string) => FakeReply)
}

export class FakeHost implements Host {
  readonly calls: FakeCall[] = []
  closed = false
  private readonly pending: Expectation[] = []

  constructor(
    readonly node: string,
    readonly address = '192.0.2.1',
  ) {}

  /**
   * Expects a script: a string matches as a substring, a RegExp by test, a function by its answer.
   * Expectations are tried in the order given; the first that matches is used up.
   */
  expect(match: ScriptMatch, reply: FakeReply | ((script: string) => FakeReply) = {}): this {
    this.pending.push({match, reply})
    return this
  }

  async run(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const label = labelOf(script, opts)
    this.calls.push({script, label, opts})
    if (this.closed) throw new Error(`FakeHost ${this.node}: run("${label}") after close()`)
    const index = this.pending.findIndex((e) => matches(e.match, script))
    if (index < 0) {
      throw new Error(
        `FakeHost ${this.node}: unexpected script "${label}":\n${preview(script)}\n` +
          `still expected: ${this.pending.length ? this.pending.map((e) => describe(e.match)).join(', ') : '(nothing)'}`,
      )
    }
    const [expectation] = this.pending.splice(index, 1)
    const reply = typeof expectation.reply === 'function' ? expectation.reply(script) : expectation.reply
    if (reply.throws) throw reply.throws
    const stdout = reply.stdout ?? ''
    if (stdout && opts.onStdout) opts.onStdout(stdout)
    return {node: this.node, label, code: reply.code ?? 0, stdout, stderr: reply.stderr ?? '', durationMs: 0}
  }

  async close(): Promise<void> {
    this.closed = true
  }

  /** Throws when an expected script was never run. Call at the end of each test. */
  done(): void {
    if (this.pending.length > 0) {
      throw new Error(`FakeHost ${this.node}: ${this.pending.length} expected script(s) never ran: ${this.pending.map((e) => describe(e.match)).join(', ')}`)
    }
  }

  /** Scripts run so far, for assertions on what was (not) done. */
  get scripts(): string[] {
    return this.calls.map((c) => c.script)
  }
}

function matches(match: ScriptMatch, script: string): boolean {
  if (typeof match === 'string') return script.includes(match)
  if (match instanceof RegExp) {
    match.lastIndex = 0 // a /g or /y RegExp keeps state between tests; start fresh every time
    return match.test(script)
  }
  return match(script)
}

function describe(match: ScriptMatch): string {
  if (typeof match === 'string') return JSON.stringify(match)
  if (match instanceof RegExp) return String(match)
  return match.name ? `${match.name}()` : '(function)'
}

function preview(script: string): string {
  const lines = script.split('\n')
  const shown = lines.slice(0, 8).map((l) => `    | ${l}`)
  if (lines.length > 8) shown.push(`    | ... (${lines.length - 8} more lines)`)
  return shown.join('\n')
}
