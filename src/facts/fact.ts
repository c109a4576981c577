/**
 * A fact is a read-only shell command plus a pure parser of its output. A step combines several
 * facts into one script, so each node answers a step's questions in a single remote call.
 */
export interface Fact<T> {
  /** Read-only shell snippet; its stdout is handed to parse with its exit code. */
  command: string
  parse(stdout: string, exitCode: number): T
}

/** One fact of a set as the script runs it: its section name and its command. */
export interface FactBlock {
  name: string
  command: string
}

export interface FactSet<T> {
  script: string
  /** What `script` is made of (`factScript(blocks)`), so a prefetch can run a block several sets share once. */
  blocks?: readonly FactBlock[]
  parse(stdout: string): T
}

const MARK = '@@hapair-fact'

/** Runs each fact's command in its own subshell (a failing one does not stop the others) between markers. */
export function factSet<M extends Record<string, Fact<any>>>(
  facts: M,
): FactSet<{[K in keyof M]: M[K] extends Fact<infer T> ? T : never}> {
  const names = Object.keys(facts)
  const blocks = names.map((name) => ({name, command: facts[name].command}))
  return {
    script: factScript(blocks),
    blocks,
    parse(stdout: string) {
      const sections = splitSections(stdout)
      const out: Record<string, unknown> = {}
      for (const name of names) {
        const section = sections.get(name)
        if (!section) throw new Error(`fact "${name}" printed nothing (the facts script stopped early)`)
        out[name] = facts[name].parse(section.stdout, section.code)
      }
      return out as any
    },
  }
}

/** One fact's section of a facts script: its marker, its command in a subshell with stderr joined, its exit code. */
export function factBlockScript(block: FactBlock): string {
  return `echo '${MARK} ${block.name}'\n( ${block.command}\n) 2>&1 && echo '${MARK}-rc 0' || echo "${MARK}-rc $?"`
}

/** The facts script of a set: `set +e`, then each block. */
export function factScript(blocks: readonly FactBlock[]): string {
  return `set +e\n${blocks.map(factBlockScript).join('\n')}\n`
}

export function splitSections(stdout: string): Map<string, {stdout: string; code: number}> {
  const sections = new Map<string, {stdout: string; code: number}>()
  let current: {name: string; lines: string[]} | undefined
  for (const line of stdout.split('\n')) {
    if (line.startsWith(`${MARK}-rc `) && current) {
      sections.set(current.name, {stdout: current.lines.join('\n'), code: Number(line.slice(MARK.length + 4))})
      current = undefined
    } else if (line.startsWith(`${MARK} `)) {
      current = {name: line.slice(MARK.length + 1).trim(), lines: []}
    } else if (current) {
      current.lines.push(line)
    }
  }
  return sections
}

/** Quotes a value for a POSIX shell. */
export function shq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}
