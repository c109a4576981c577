/**
 * Facts prefetched in one round trip per node. Every step's facts script is read-only, so the
 * facts of all the steps still to run compose into one script per node: each step's script runs in
 * its own subshell (an `exit` or a failure stops only that part) between delimiters carrying a
 * per-run nonce, its exit code after it. Each part is then parsed by that step's own parser, as if
 * the step had read it alone (execute-step.ts `gatherFacts`).
 *
 * What was read stays true until something changes: after a step applies changes, every later
 * step's prefetched facts are dropped (the engine cannot know which facts a change affects: a
 * DRBD change on one node shows in the other's facts), and the next step to run reads its own
 * and every later step's facts again, in one round trip per node. A step's verification is
 * always a fresh read. A part that failed (non-zero exit, missing) is not used: that step reads
 * its facts alone, so its error is exactly the one a step reading alone gives.
 */
import {randomBytes} from 'node:crypto'
import type {NodeConfig} from '../config/schema.js'
import type {Host} from '../transport/host.js'
import type {Step, StepContext} from './step.js'

export interface PrefetchEntry {
  step: Step
  ctx: StepContext
}

/** One step's facts output on one node, as the step's own read would have returned it. */
export interface FactOutput {
  stdout: string
  code: number
}

/** Raw facts output of one step, by node name; a node missing here reads alone. */
export type Prefetched = Map<string, FactOutput>

const MARK = '@@hapair-step'

/** The nodes a step reads (its `nodes`, default both). */
function nodesOf(entry: PrefetchEntry): NodeConfig[] {
  return entry.step.nodes ? entry.step.nodes(entry.ctx) : entry.ctx.nodes
}

/**
 * One node's script reading the facts of several steps: `parts` are [index, facts script]. The
 * outer script runs with `set +e` so one failing part does not stop the others; each part gets
 * back the strict options (SCRIPT_HEADER's) it would have had as a script of its own, and no stdin
 * (the composed script itself arrives on bash's stdin).
 */
export function prefetchScript(parts: [number, string][], nonce: string): string {
  const body = parts.map(([i, script]) => `echo '${MARK}-${nonce} ${i}'\n(\nset -euo pipefail\n${script}\n) </dev/null\nprintf '\\n${MARK}-${nonce}-rc %s\\n' "$?"`)
  return `set +e\n${body.join('\n')}\n`
}

/** The parts of a prefetch script's stdout, by step index. A part without its closing line is left out. */
export function splitPrefetch(stdout: string, nonce: string): Map<number, FactOutput> {
  const open = `${MARK}-${nonce} `
  const close = `${MARK}-${nonce}-rc `
  const parts = new Map<number, FactOutput>()
  let current: {index: number; lines: string[]} | undefined
  for (const line of stdout.split('\n')) {
    if (current && line.startsWith(close)) {
      // The closing printf starts with a newline, so the part's own output is everything before it.
      parts.set(current.index, {stdout: current.lines.join('\n'), code: Number(line.slice(close.length))})
      current = undefined
    } else if (line.startsWith(open)) current = {index: Number(line.slice(open.length)), lines: []}
    else current?.lines.push(line)
  }
  return parts
}

export class FactPrefetch {
  /** Remote calls made through `hosts`, by node: prefetches, steps' own reads, changes, verification. */
  readonly roundTrips = new Map<string, number>()
  /** The hosts to hand to steps: the same connections, counted. */
  readonly hosts: Map<string, Host>
  private readonly read = new Map<number, Prefetched>()
  /** Entries the last prefetch covered and that nothing has made stale since. */
  private readonly covered = new Set<number>()

  constructor(
    private readonly entries: PrefetchEntry[],
    hosts: Map<string, Host>,
    private readonly nonce = randomBytes(8).toString('hex'),
  ) {
    this.hosts = new Map([...hosts].map(([name, host]) => [name, this.counted(host)]))
    for (const name of hosts.keys()) this.roundTrips.set(name, 0)
  }

  /**
   * The prefetched facts output of entry `index`, by node. When they were not read yet (the
   * first step, or the first after a change), reads them for this entry and every later one:
   * one remote call per node.
   */
  async take(index: number): Promise<Prefetched> {
    if (!this.covered.has(index)) await this.fetchFrom(index)
    const got = this.read.get(index) ?? new Map()
    this.read.delete(index)
    this.covered.delete(index)
    return got
  }

  /** An entry applied changes: what later entries were read before it may be stale. */
  changed(): void {
    this.read.clear()
    this.covered.clear()
  }

  private async fetchFrom(start: number): Promise<void> {
    this.changed()
    const byNode = new Map<string, [number, string][]>()
    for (let i = start; i < this.entries.length; i++) {
      this.covered.add(i)
      let nodes: NodeConfig[]
      let scripts: [string, string][]
      try {
        nodes = nodesOf(this.entries[i])
        // A step whose facts cannot even be composed reads alone and fails there, as it always did.
        scripts = nodes.map((node) => [node.name, this.entries[i].step.facts(this.entries[i].ctx, node).script])
      } catch {
        continue
      }
      for (const [name, script] of scripts) {
        if (!byNode.has(name)) byNode.set(name, [])
        byNode.get(name)!.push([i, script])
      }
    }
    await Promise.all(
      [...byNode].map(async ([name, parts]) => {
        const host = this.hosts.get(name)
        if (!host) return
        let stdout: string
        try {
          const result = await host.run(prefetchScript(parts, this.nonce), {label: `facts of ${parts.length} step${parts.length === 1 ? '' : 's'} (prefetch)`})
          stdout = result.stdout
        } catch {
          return // the transport failed: each step reads alone and reports it as its own
        }
        for (const [i, out] of splitPrefetch(stdout, this.nonce)) {
          if (out.code !== 0 || !parts.some(([p]) => p === i)) continue
          if (!this.read.has(i)) this.read.set(i, new Map())
          this.read.get(i)!.set(name, out)
        }
      }),
    )
  }

  private counted(host: Host): Host {
    return {
      node: host.node,
      address: host.address,
      run: (script, opts) => {
        this.roundTrips.set(host.node, (this.roundTrips.get(host.node) ?? 0) + 1)
        return host.run(script, opts)
      },
      close: () => host.close(),
    }
  }
}
