/**
 * Facts prefetched in one round trip per node. Every step's facts script is read-only, so the
 * facts of the steps still to run compose into one script per node: each step's script runs in
 * its own subshell (an `exit` or a failure stops only that part) between delimiters carrying a
 * per-run nonce, its exit code after it. Each part is then parsed by that step's own parser, as if
 * the step had read it alone (execute-step.ts `gatherFacts`).
 *
 * A fact block (name and command, see factSet) that several parts of one node's script hold runs
 * once: before the parts, in a subshell of its own set up as a part is (strict options, then the
 * fact set's `set +e`, no stdin), between delimiters of its own. Each part holding it prints a
 * reference line instead, which splitPrefetch replaces with the block's output, byte for byte:
 * the part's text is the one it would have printed running the block itself.
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
import {factBlockScript, factScript, type FactBlock, type FactSet} from '../facts/fact.js'
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
const BLOCK = '@@hapair-block'

/** The nodes a step reads (its `nodes`, default both). */
function nodesOf(entry: PrefetchEntry): NodeConfig[] {
  return entry.step.nodes ? entry.step.nodes(entry.ctx) : entry.ctx.nodes
}

/** A set's blocks when its script is made of them (factSet's always are); else it composes whole. */
function blocksOf(facts: string | FactSet<unknown>): readonly FactBlock[] | undefined {
  if (typeof facts === 'string' || !facts.blocks) return undefined
  return factScript(facts.blocks) === facts.script ? facts.blocks : undefined
}

const blockKey = (block: FactBlock) => `${block.name}\0${block.command}`

/** A script in a subshell with the strict options (SCRIPT_HEADER's) and no stdin, between `mark`'s delimiters. */
function delimited(mark: string, i: number, script: string): string {
  return `echo '${mark} ${i}'\n(\nset -euo pipefail\n${script}\n) </dev/null\nprintf '\\n${mark}-rc %s\\n' "$?"`
}

/**
 * One node's script reading the facts of several steps: `parts` are [index, facts] (a fact set, or
 * a bare script). The outer script runs with `set +e` so one failing part does not stop the
 * others; each part gets back the strict options (SCRIPT_HEADER's) it would have had as a script
 * of its own, and no stdin (the composed script itself arrives on bash's stdin). A block found in
 * two parts or more runs once, first, as a one-block fact set in a part-like subshell; the parts
 * holding it echo a reference to it instead (see splitPrefetch).
 */
export function prefetchScript(parts: [number, string | FactSet<unknown>][], nonce: string): string {
  const seen = new Map<string, number>()
  for (const [, facts] of parts) for (const block of blocksOf(facts) ?? []) seen.set(blockKey(block), (seen.get(blockKey(block)) ?? 0) + 1)
  const shared = new Map<string, number>()
  const hoisted: string[] = []
  for (const [, facts] of parts) {
    for (const block of blocksOf(facts) ?? []) {
      const key = blockKey(block)
      if (seen.get(key)! < 2 || shared.has(key)) continue
      shared.set(key, shared.size)
      hoisted.push(delimited(`${BLOCK}-${nonce}`, shared.size - 1, factScript([block])))
    }
  }
  const body = parts.map(([i, facts]) => {
    const blocks = blocksOf(facts)
    const script = blocks
      ? `set +e\n${blocks.map((b) => (shared.has(blockKey(b)) ? `echo '${BLOCK}-${nonce}-use ${shared.get(blockKey(b))}'` : factBlockScript(b))).join('\n')}\n`
      : typeof facts === 'string'
        ? facts
        : facts.script
    return delimited(`${MARK}-${nonce}`, i, script)
  })
  return `set +e\n${[...hoisted, ...body].join('\n')}\n`
}

/** The sections `mark`'s delimiters enclose in `stdout`, by index. A section without its closing line is left out. */
function sections(stdout: string, mark: string): Map<number, FactOutput> {
  const open = `${mark} `
  const close = `${mark}-rc `
  const found = new Map<number, FactOutput>()
  let current: {index: number; lines: string[]} | undefined
  for (const line of stdout.split('\n')) {
    if (current && line.startsWith(close)) {
      // The closing printf starts with a newline, so the section's own output is everything before it.
      found.set(current.index, {stdout: current.lines.join('\n'), code: Number(line.slice(close.length))})
      current = undefined
    } else if (line.startsWith(open)) current = {index: Number(line.slice(open.length)), lines: []}
    else current?.lines.push(line)
  }
  return found
}

/**
 * The parts of a prefetch script's stdout, by step index, each with the output of the shared blocks
 * it refers to put back in place of the reference line. A part without its closing line, or
 * referring to a block that did not finish, is left out.
 */
export function splitPrefetch(stdout: string, nonce: string): Map<number, FactOutput> {
  const blocks = sections(stdout, `${BLOCK}-${nonce}`)
  const use = `${BLOCK}-${nonce}-use `
  const parts = new Map<number, FactOutput>()
  for (const [i, part] of sections(stdout, `${MARK}-${nonce}`)) {
    let whole = true
    const lines = part.stdout.split('\n').map((line) => {
      if (!line.startsWith(use)) return line
      const block = blocks.get(Number(line.slice(use.length)))
      // A one-block fact set's output ends with its exit code line, so it replaces the reference line
      // and the newline after it exactly.
      if (!block || block.code !== 0 || !block.stdout.endsWith('\n')) whole = false
      return block?.stdout.slice(0, -1) ?? line
    })
    if (whole) parts.set(i, {stdout: lines.join('\n'), code: part.code})
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
    if (!this.covered.has(index)) await this.fetch(index, this.entries.length - 1)
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

  private async fetch(start: number, end: number): Promise<void> {
    this.read.clear()
    this.covered.clear()
    const byNode = new Map<string, [number, FactSet<unknown>][]>()
    for (let i = start; i <= end; i++) {
      this.covered.add(i)
      let nodes: NodeConfig[]
      let sets: [string, FactSet<unknown>][]
      try {
        nodes = nodesOf(this.entries[i])
        // A step whose facts cannot even be composed reads alone and fails there, as it always did.
        sets = nodes.map((node) => [node.name, this.entries[i].step.facts(this.entries[i].ctx, node)])
      } catch {
        continue
      }
      for (const [name, set] of sets) {
        if (!byNode.has(name)) byNode.set(name, [])
        byNode.get(name)!.push([i, set])
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
