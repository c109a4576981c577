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
 * DRBD change on one node shows in the other's facts). They still serve as a forecast: each later
 * step, in order, plans on them (parse and plan are pure), and the first that plans changes, throws,
 * or has no facts for one of its nodes is predicted to change. The next prefetch reads the steps
 * from the next one to run up to and including that one (all the rest when none is predicted), so
 * a run where every step changes reads each step's facts about once, not again after each change.
 * When the range's last step then changes nothing, the step after it starts a prefetch whose range
 * is chosen the same way. A forecast only ever chooses that range: a step's plan is always made from facts read after the
 * last change. The first prefetch reads every step. A step's verification is always a fresh read.
 * A part that failed (non-zero exit, missing) is not used: that step reads its facts alone, so its
 * error is exactly the one a step reading alone gives.
 */
import {randomBytes} from 'node:crypto'
import type {NodeConfig} from '../config/schema.js'
import {factBlockScript, factScript, type FactBlock, type FactSet} from '../facts/fact.js'
import type {Host} from '../transport/host.js'
import type {Step, StepContext} from './step.js'
import {stepNodes} from './execute-step.js'

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

/** The hosts a step reads (execute-step.ts decides, for the step's own reads too). */
function nodesOf(entry: PrefetchEntry): NodeConfig[] {
  return stepNodes(entry.step, entry.ctx)
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
  /** The last facts output read for each entry, stale or not: only ever used to forecast (see `rangeFrom`). */
  private readonly lastRead = new Map<number, Prefetched>()
  private anyChanged = false

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
   * first step, the first after a change, or the first after the range a forecast chose), reads
   * them for this entry and the later ones `rangeFrom` picks: one remote call per node.
   */
  async take(index: number): Promise<Prefetched> {
    if (!this.covered.has(index)) await this.fetch(index, this.rangeFrom(index))
    const got = this.read.get(index) ?? new Map()
    this.read.delete(index)
    this.covered.delete(index)
    return got
  }

  /** An entry applied changes: what later entries were read before it may be stale. */
  changed(): void {
    this.anyChanged = true
    this.read.clear()
    this.covered.clear()
  }

  /**
   * The last entry the prefetch starting at `start` reads: every later one before any change;
   * after one, the first entry from `start` on that its last (stale) facts predict to change, or
   * the last entry when none does.
   */
  private rangeFrom(start: number): number {
    if (!this.anyChanged) return this.entries.length - 1
    for (let i = start; i < this.entries.length; i++) if (this.predictsChange(i)) return i
    return this.entries.length - 1
  }

  /** Whether entry `i` would plan changes on the facts last read for it (none, or a throw, count as yes). */
  private predictsChange(i: number): boolean {
    const {step, ctx} = this.entries[i]
    const last = this.lastRead.get(i)
    try {
      const facts: Record<string, unknown> = {}
      for (const node of nodesOf(this.entries[i])) {
        const out = last?.get(node.name)
        if (!out) return true
        facts[node.name] = step.facts(ctx, node).parse(out.stdout)
      }
      // The plan is dropped here: only whether it holds changes chooses the range.
      return step.plan(ctx, facts).changes.length > 0
    } catch {
      return true
    }
  }

  private async fetch(start: number, end: number): Promise<void> {
    this.read.clear()
    this.covered.clear()
    const byNode = new Map<string, [number, FactSet<unknown>][]>()
    for (let i = start; i <= end; i++) {
      this.covered.add(i)
      this.lastRead.delete(i)
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
          for (const map of [this.read, this.lastRead]) {
            if (!map.has(i)) map.set(i, new Map())
            map.get(i)!.set(name, out)
          }
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
