/**
 * A fact block several steps' parts share runs once per prefetch script, and every part reads
 * exactly the text it would have printed running the block itself. Proven by running the composed
 * scripts in a real local bash.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {prefetchScript, splitPrefetch, type FactOutput} from '../../../src/engine/prefetch.js'
import {loadRunbook} from '../../../src/engine/runbook.js'
import {factSet, shq, splitSections, type Fact, type FactSet} from '../../../src/facts/fact.js'
import {SCRIPT_HEADER} from '../../../src/transport/host.js'
import {testContext} from '../../helpers/cluster.js'

const NONCE = '0123456789abcdef'
const bash = (script: string, header = SCRIPT_HEADER) => spawnSync('bash', ['-s'], {input: header + script, encoding: 'utf8'})

/** The parts of `sets` composed with shared blocks run once, and composed whole (no sharing: bare scripts), both run by bash. */
function bothWays(sets: [number, FactSet<unknown>][], header?: string): {shared: Map<number, FactOutput>; whole: Map<number, FactOutput>; script: string} {
  const script = prefetchScript(sets, NONCE)
  const shared = bash(script, header)
  const whole = bash(prefetchScript(sets.map(([i, set]) => [i, set.script]), NONCE), header)
  assert.equal(shared.status, 0, shared.stderr)
  assert.equal(whole.status, 0, whole.stderr)
  return {shared: splitPrefetch(shared.stdout, NONCE), whole: splitPrefetch(whole.stdout, NONCE), script}
}

/** What a set's parser makes of a part: its facts, or the message it throws. */
function outcome(set: FactSet<unknown>, part: FactOutput): {facts: unknown} | {error: string} {
  try {
    return {facts: set.parse(part.stdout)}
  } catch (error) {
    return {error: (error as Error).message}
  }
}

/** A fact whose every run appends its name to `counter` (the only fact that writes anything: a test's). */
const counting = (counter: string, name: string, command: string): Fact<{out: string; code: number}> => ({
  command: `echo ${shq(name)} >> ${shq(counter)}\n${command}`,
  parse: (out, code) => ({out, code}),
})

test('a block three parts share runs once; each part reads what it would have printed running it itself', () => {
  const counter = join(mkdtempSync(join(tmpdir(), 'hapair-dedupe-')), 'runs')
  // Output without a final newline, stderr, an exit, stdin, an empty output with a failure: each shared.
  const edge = {
    tail: counting(counter, 'tail', 'printf "no newline"'),
    err: counting(counter, 'err', 'echo out; echo err >&2; exit 5'),
    stdin: counting(counter, 'stdin', 'cat; echo "stdin was empty"'),
    empty: counting(counter, 'empty', 'false'),
    // The options a part's facts run with (bash's own error text carries a line number, which no
    // composition keeps: it already differs between a part and a read alone, so it stays out).
    opts: counting(counter, 'opts', '(echo "${UNSET_VAR_FOR_TEST}") 2>/dev/null || echo "unset: $?"; echo "$-"; false | true'),
  }
  const sets: [number, FactSet<unknown>][] = [
    [0, factSet({...edge, own: counting(counter, 'own0', 'echo zero')})],
    [1, factSet({own: counting(counter, 'own1', 'echo one'), ...edge})],
    [2, factSet({lone: counting(counter, 'lone', 'echo lone')})],
    [3, factSet({tail: edge.tail, empty: edge.empty, opts: edge.opts})],
    [4, factSet({err: edge.err, stdin: edge.stdin})],
  ]
  const {shared, whole, script} = bothWays(sets)
  const runs = readFileSync(counter, 'utf8').split('\n').filter(Boolean)
  // The shared composition ran each shared block once; the whole one ran every block of every part.
  const count = (name: string) => runs.filter((r) => r === name).length
  assert.deepEqual(Object.fromEntries(Object.keys(edge).map((n) => [n, count(n)])), {tail: 4, err: 4, stdin: 4, empty: 4, opts: 4}, 'shared once + 3 whole runs')
  assert.deepEqual([count('own0'), count('own1'), count('lone')], [2, 2, 2])
  assert.equal((script.match(/^echo '@@hapair-block-[0-9a-f]+ \d+'$/gm) ?? []).length, 5)
  assert.equal(shared.size, 5)
  assert.deepEqual(shared, whole)
  for (const [i, set] of sets) assert.deepEqual(outcome(set, shared.get(i)!), outcome(set, whole.get(i)!))
  // The cases the replay must keep: stderr joined, exit code, empty stdin, empty output, options,
  // and an output without a final newline (its exit code line then joins it, hiding the section).
  const got = splitSections(shared.get(0)!.stdout)
  assert.deepEqual(got.get('err'), {stdout: 'out\nerr', code: 5})
  assert.deepEqual(got.get('stdin'), {stdout: 'stdin was empty', code: 0})
  assert.deepEqual(got.get('empty'), {stdout: '', code: 1})
  assert.equal(got.get('opts')!.code, 1, 'pipefail')
  assert.match(got.get('opts')!.stdout, /^unset: 1\n[^e\n]*u[^e\n]*$/, 'set -u, no set -e')
  assert.equal(got.has('tail'), false)
  assert.ok(shared.get(0)!.stdout.startsWith('@@hapair-fact tail\nno newline@@hapair-fact-rc 0\n'))
})

test('a part whose shared block did not finish is left out (that step reads alone)', () => {
  const a = factSet({x: {command: 'echo x', parse: (o) => o}, y: {command: 'echo y', parse: (o) => o}})
  const b = factSet({x: {command: 'echo x', parse: (o) => o}})
  const script = prefetchScript([[0, a], [1, b]], NONCE)
  const out = bash(script).stdout
  assert.equal(splitPrefetch(out, NONCE).size, 2)
  // The node's output stops inside the shared block: no part can be pieced together.
  const cut = out.slice(0, out.indexOf('@@hapair-block-0123456789abcdef-rc'))
  assert.equal(splitPrefetch(cut + out.slice(out.indexOf(`@@hapair-step-${NONCE} 0`)), NONCE).size, 0)
})

test('a set whose script is not made of its blocks composes whole', () => {
  const set = factSet({x: {command: 'echo x', parse: (o) => o}})
  const odd = {...set, script: `${set.script}echo extra\n`}
  const script = prefetchScript([[0, odd], [1, set]], NONCE)
  assert.doesNotMatch(script, /@@hapair-block/)
  assert.equal(splitPrefetch(bash(script).stdout, NONCE).get(0)!.stdout, '@@hapair-fact x\nx\n@@hapair-fact-rc 0\nextra\n')
})

/**
 * Every real step's fact set of a runbook, composed for one node, run by a bash in which every
 * program is missing: `command_not_found_handle` answers each one from its arguments alone (some
 * print a line, some print without a final newline and fail, some print nothing and fail), so the
 * output is deterministic and covers empty output and non-zero exit codes. Each drains its stdin
 * first, so no pipe's writer dies of SIGPIPE at a moment that varies from run to run.
 */
const STUB_HEADER = (dir: string) =>
  `set -euo pipefail\nexport LC_ALL=C PATH=${dir}\ncommand_not_found_handle() { while read -r _l; do :; done; case $(( \${#*} % 3 )) in 0) return 3;; 1) printf 'ran %s\\n' "$*";; 2) printf 'ran %s' "$*"; return 1;; esac; }\n`

for (const [runbook, overrides] of [
  ['nfs-keepalived', {}],
  ['nfs-heartbeat', {stack: 'heartbeat', keepalived: undefined}],
] as const) {
  test(`${runbook}: every step's facts parse the same with shared blocks run once as with every block run`, () => {
    const ctx = testContext(overrides)
    const steps = loadRunbook(runbook).entries
    const header = STUB_HEADER(mkdtempSync(join(tmpdir(), 'hapair-nopath-')))
    for (const node of ctx.nodes) {
      const sets: [number, FactSet<unknown>][] = []
      steps.forEach((e, i) => {
        const sctx = {...ctx, params: e.params}
        if (!(e.step.nodes ? e.step.nodes(sctx) : sctx.nodes).some((n) => n.name === node.name)) return
        sets.push([i, e.step.facts(sctx, node)])
      })
      const {shared, whole, script} = bothWays(sets, header)
      assert.ok(sets.length >= 10, `${sets.length} steps read ${node.name}`)
      // Each distinct block appears once in the script, however many steps' sets hold it.
      const blocks = sets.flatMap(([, s]) => s.blocks!.map((b) => `${b.name}\0${b.command}`))
      assert.ok(blocks.length - new Set(blocks).size >= 8, 'blocks several steps share')
      for (const name of ['os', 'drbd', 'services']) {
        const variants = new Set(blocks.filter((b) => b.startsWith(`${name}\0`)))
        assert.equal(script.split(`echo '@@hapair-fact ${name}'`).length - 1, variants.size, name)
      }
      assert.equal(shared.size, sets.length)
      assert.deepEqual(shared, whole)
      const sections = [...whole.values()].flatMap((p) => p.stdout.split(/^@@hapair-fact /m).slice(1))
      assert.ok(sections.some((s) => /\n@@hapair-fact-rc [1-9]/.test(s)), 'some fact exits non-zero')
      assert.ok(sections.some((s) => /^\S+\n@@hapair-fact-rc/.test(s)), 'some fact prints nothing')
      for (const [i, set] of sets) assert.deepEqual(outcome(set, shared.get(i)!), outcome(set, whole.get(i)!), `${steps[i].step.id} on ${node.name}`)
    }
  })
}

test('the stub bash really has no programs (so the runbook test above reads nothing of this machine)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-nopath-'))
  assert.equal(existsSync(join(dir, 'ls')), false)
  const r = bash('ls /\n', STUB_HEADER(dir))
  assert.deepEqual([r.stdout, r.status], ['ran ls /', 1])
})
