/** A small real step for engine tests: keeps /etc/toy.conf holding `value=<params.value>`. */
import {spawnSync} from 'node:child_process'
import {factSet, shq} from '../../../src/facts/fact.js'
import {fileFact} from '../../../src/facts/file.js'
import {planFile} from '../../../src/steps/common/plan-file.js'
import type {Step, StepContext, RunOptions} from '../../../src/engine/step.js'
import {labelOf, SCRIPT_HEADER, type ExecOptions, type ExecResult, type Host} from '../../../src/transport/host.js'
import {testContext} from '../../helpers/cluster.js'

/** A toy file step: keeps `path` holding `value=<params.value>`. */
function toyFileAt(id: string, path: string, title: string): Step {
  const name = path.split('/').at(-1)
  return {
    id,
    title,
    facts: () => factSet({file: fileFact(path)}),
    plan(ctx, facts) {
      const changes = ctx.nodes.flatMap((node) => planFile(node.name, facts[node.name].file, {path, content: `value=${String(ctx.params.value)}\n`, mode: 0o644}) ?? [])
      return {changes, notes: changes.length ? [] : [`${name} already right`]}
    },
  }
}

export const toyStep: Step = toyFileAt('toy.file', '/etc/toy.conf', 'Toy file')

/** Toy step `toy.file<i>`: keeps /etc/toy<i>.conf holding `value=<params.value>`. */
export const toyFileStep = (i: number): Step => toyFileAt(`toy.file${i}`, `/etc/toy${i}.conf`, `Toy file ${i}`)

/** A StepContext over the shared test cluster, with this step's params and run options. */
export function toyContext(params: Record<string, unknown> = {value: 1}, o: Partial<RunOptions> = {}): StepContext {
  return testContext({}, {params, options: o})
}

/** What fileFact prints for a file (mode + base64), as a node would answer. */
export function fileFactOutput(content: string | null, mode = '644'): string {
  const body = content === null ? 'missing\n' : `${mode}\n${Buffer.from(content).toString('base64')}\n`
  return `@@hapair-fact file\n${body}@@hapair-fact-rc 0\n`
}

/**
 * A FakeHost reply to the engine's prefetch script (src/engine/prefetch.ts): each step's part is
 * answered by `answer(partScript)`, a string (exit 0) or an output with its exit code.
 */
export function prefetchReply(answer: (part: string) => string | {stdout: string; code: number}): (script: string) => {stdout: string} {
  return (script) => {
    let stdout = ''
    for (const m of script.matchAll(/^echo '(@@hapair-step-[0-9a-f]+) (\d+)'\n\(\nset -euo pipefail\n([\s\S]*?)\n\) <\/dev\/null$/gm)) {
      const got = answer(m[3])
      const {stdout: out, code} = typeof got === 'string' ? {stdout: got, code: 0} : got
      stdout += `${m[1]} ${m[2]}\n${out}\n${m[1]}-rc ${code}\n`
    }
    return {stdout}
  }
}

/** Matches the engine's prefetch script (all steps' facts in one call). */
export const isPrefetch = (script: string): boolean => /^echo '@@hapair-step-[0-9a-f]+ \d+'$/m.test(script)

/**
 * A toy step on the first node only, for runs on a LocalBashHost: keeps `path` holding
 * `value=<value>`. Its fact appends `path` to `counter` at every run (the one fact that writes
 * anything: a test's, so the test can count the reads), and its plan notes what it saw.
 */
export function countedToyStep(id: string, path: string, value: number, counter: string): Step {
  const file = fileFact(path)
  return {
    id,
    title: id,
    nodes: (ctx) => [ctx.nodes[0]],
    facts: () => factSet({file: {command: `echo ${shq(path)} >> ${shq(counter)}\n${file.command}`, parse: file.parse}}),
    plan(ctx, facts) {
      const node = ctx.nodes[0].name
      const current = facts[node].file
      const change = planFile(node, current, {path, content: `value=${value}\n`, mode: 0o644})
      return {changes: change ? [change] : [], notes: [`saw ${current.content?.trim() ?? 'no file'}`]}
    },
  }
}

/** A node that is this machine: each script runs in a local `bash -s` after SCRIPT_HEADER, as on a node over SSH. */
export class LocalBashHost implements Host {
  readonly scripts: string[] = []

  constructor(
    readonly node: string,
    readonly address = '127.0.0.1',
  ) {}

  async run(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.scripts.push(script)
    const r = spawnSync('bash', ['-s'], {input: SCRIPT_HEADER + script, encoding: 'utf8'})
    return {node: this.node, label: labelOf(script, opts), code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr, durationMs: 0}
  }

  async close(): Promise<void> {}
}
