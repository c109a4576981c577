/**
 * The interruption matrix (issue 12): hapair SIGKILLed in the middle of each step's apply, then
 * run again. One chain per runbook instead of one fresh pair per step: each run is killed in the
 * first step it applies that no earlier run was killed in, so the next run starts from what that
 * kill left, must converge that step, and is killed in the next one. The chain ends with a run
 * that nothing kills (it must succeed) and a `--json` run that must change nothing.
 *
 * Each kill lands shortly after a node's apply row appears in the plain output, which the
 * renderer prints just before that node's first change is sent: the node is running it.
 */
import assert from 'node:assert/strict'
import {hapair, type CliResult} from './cli.js'

/** After the apply row appears: long enough for the change's exec to be open on the node. */
const KILL_AFTER_MS = 300

export interface Interruption {
  step: string
  /** The node whose apply row was seen first. */
  node: string
  /** The last lines the killed run printed: what was in flight. */
  inFlight: string[]
}

export interface Chain {
  interruptions: Interruption[]
  /** Steps of the list no run applied (already converged when the chain reached them). */
  neverApplied: string[]
  /** Steps whose run finished (exit 0) before the kill could land: a fast last step. */
  outran: string[]
  /** The run nothing killed, which finished the work. */
  last: CliResult
  /** A `--json` run after it (the caller checks it changed nothing, or what it changed). */
  final: CliResult
}

/**
 * The plain (CI) renderer prints a node's apply row as `<node>: <step title> [<step id>]` when
 * that node starts applying the step's changes; a step's own rows never start with a node name.
 */
export function applyRow(line: string): {node: string; step: string} | undefined {
  const m = /\b(node\d+): [^[]*\[([a-z][a-z0-9-]*\.[a-z0-9.-]+)\]\s*$/.exec(line)
  return m ? {node: m[1], step: m[2]} : undefined
}

/** Runs `args` again and again, each time SIGKILLed in the next of `steps` that applies; see above. */
export async function killInEachStep(args: string[], steps: string[], opts: {timeoutMs?: number; configFile?: string} = {}): Promise<Chain> {
  const run = {timeoutMs: opts.timeoutMs, configFile: opts.configFile}
  const interruptions: Interruption[] = []
  const outran: string[] = []
  const killedIn = new Set<string>()
  for (;;) {
    let target: {node: string; step: string} | undefined
    const r = await hapair(args, {
      ...run,
      onLine: (line, child) => {
        const row = target === undefined ? applyRow(line) : undefined
        if (!row || !steps.includes(row.step) || killedIn.has(row.step)) return
        target = row
        setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS)
      },
    })
    if (target === undefined) {
      assert.equal(r.code, 0, `the run after ${interruptions.length} kill(s) failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`)
      const final = await hapair([...args, '--json'], run)
      return {interruptions, neverApplied: steps.filter((s) => !killedIn.has(s) && !outran.includes(s)), outran, last: r, final}
    }
    if (r.code === 0 && r.signal === null) {
      // The step (the runbook's last, and quick) finished before the kill landed: not a failure.
      outran.push(target.step)
      killedIn.add(target.step)
      continue
    }
    assert.equal(r.signal, 'SIGKILL', `the run meant to die in ${target.step} ended by itself (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`)
    killedIn.add(target.step)
    interruptions.push({...target, inFlight: r.stdout.trimEnd().split('\n').slice(-3)})
  }
}

/** One line per kill for the test log, so a run shows where each one landed. */
export function describeChain(chain: Chain): string {
  const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').trim()
  return [
    ...chain.interruptions.map((i) => `killed in ${i.step} (${i.node}) during: ${i.inFlight.map(strip).join(' | ')}`),
    ...(chain.neverApplied.length ? [`nothing to apply when reached: ${chain.neverApplied.join(', ')}`] : []),
    ...(chain.outran.length ? [`finished before the kill landed: ${chain.outran.join(', ')}`] : []),
  ].join('\n')
}

/**
 * A pulled cable in the middle of a step: `node`'s link is cut for `cutMs` once it starts applying
 * `step`, then restored. The run may ride it out (TCP retransmits what was in flight) or fail;
 * when it fails, its error must name the node, the step and the command it was running.
 */
export async function cutLinkDuring(args: string[], step: string, node: string, opts: {cutMs: number; down: () => Promise<void>; up: () => Promise<void>}): Promise<CliResult> {
  let cut: Promise<void> | undefined
  const r = await hapair(args, {
    onLine: (line) => {
      const row = applyRow(line)
      if (cut || !row || row.step !== step || row.node !== node) return
      cut = opts.down().then(() => new Promise((resolve) => setTimeout(resolve, opts.cutMs))).then(opts.up)
    },
  })
  assert.ok(cut, `${node} never applied ${step}, so its link was never cut:\n${r.stdout.slice(-2000)}`)
  await cut
  if (r.code !== 0) {
    for (const named of [node, step]) assert.ok(r.stderr.includes(named), `the error does not name ${named}:\n${r.stderr}`)
    assert.match(r.stderr, /"[^"]+"/, `the error does not name the command:\n${r.stderr}`)
  }
  return r
}
