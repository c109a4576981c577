/**
 * A host for whole-runbook unit runs: every fact a script asks for is answered from a table by the
 * fact's name (what a fresh node would print), and the script itself (the engine's prefetch, its
 * delimiters and subshells) runs in a local bash. Anything that is not a facts read (a change) and
 * any fact missing from the table fails the run, so a dry run that would touch a host shows.
 */
import {spawnSync} from 'node:child_process'
import {shq} from '../../src/facts/fact.js'
import {labelOf, SCRIPT_HEADER, type ExecOptions, type ExecResult, type Host} from '../../src/transport/host.js'

const BLOCK = /echo '@@hapair-fact (\S+)'\n\( [\s\S]*?\n\) 2>&1 && echo '@@hapair-fact-rc 0'/g

export class CannedFactsHost implements Host {
  readonly scripts: string[] = []
  /** Fact names asked for, in order (a name asked by several steps appears once per read). */
  readonly asked: string[] = []

  constructor(
    readonly node: string,
    private readonly facts: Record<string, string>,
    readonly address = '192.0.2.1',
  ) {}

  async run(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.scripts.push(script)
    let blocks = 0
    const canned = script.replace(BLOCK, (_all, name: string) => {
      blocks++
      this.asked.push(name)
      const out = this.facts[name]
      if (out === undefined) throw new Error(`${this.node}: no canned output for fact "${name}"`)
      // A command's output ends with a newline; the closing marker must start a line of its own.
      return `echo '@@hapair-fact ${name}'\n( printf '%s' ${shq(out.endsWith('\n') ? out : `${out}\n`)}\n) 2>&1 && echo '@@hapair-fact-rc 0'`
    })
    if (blocks === 0) throw new Error(`${this.node}: not a facts read (a change in a dry run?): ${labelOf(script, opts)}`)
    const r = spawnSync('bash', ['-s'], {input: SCRIPT_HEADER + canned, encoding: 'utf8'})
    return {node: this.node, label: labelOf(script, opts), code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr, durationMs: 0}
  }

  async close(): Promise<void> {}
}
