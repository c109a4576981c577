/**
 * Where a drill's takeover time went, from the stack's own transition log (notify and check
 * scripts log each command with its duration: "took N ms (exit RC): CMD"). The drill notes the
 * log's size on every node before the fault and reads what was appended up to the moment the
 * cluster settled, so guest clocks (which may be skewed by seconds) never decide what belongs to
 * the drill. Reading is best effort: a node that does not answer simply has no timeline.
 */
import {shq} from '../facts/fact.js'
import {parseHaLog} from '../facts/keepalived.js'
import type {DrillEnv} from './env.js'
import type {NodeTransitions, TimedCommand} from './types.js'

/** How many of a node's slowest commands a report shows. */
export const BIGGEST = 5
/** Lines read back at most: a drill appends tens, a flapping check could append thousands. */
const MAX_LINES = 2000

/** Prints the log's size in bytes (0 when there is none yet). */
export function logSizeScript(path: string): string {
  return `if [ -f ${shq(path)} ]; then stat -c %s ${shq(path)}; else echo 0; fi`
}

export function parseLogSize(stdout: string): number | undefined {
  const n = Number(stdout.trim())
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined
}

/** What was appended after byte `offset`, without the commands' own output lines ("    | ..."). */
export function logSinceScript(path: string, offset: number): string {
  return `[ -f ${shq(path)} ] || exit 0\ntail -c +${offset + 1} ${shq(path)} | grep -v '^    | ' | head -n ${MAX_LINES}`
}

const TOOK = /^took (\d+) ms \(exit (-?\d+)\): (.*)$/

/** The timed commands of one node's log excerpt, in log order, and how many transitions began. */
export function parseTransitions(node: string, stdout: string): NodeTransitions {
  const commands: TimedCommand[] = []
  let transitions = 0
  for (const event of parseHaLog(stdout)) {
    if (event.message === 'begin') transitions++
    const m = TOOK.exec(event.message)
    if (m) commands.push({action: event.action, ms: Number(m[1]), exit: Number(m[2]), command: m[3]})
  }
  const totalMs = commands.reduce((sum, c) => sum + c.ms, 0)
  const biggest = [...commands].sort((a, b) => b.ms - a.ms).slice(0, BIGGEST)
  return {node, transitions, commands: commands.length, totalMs, biggest}
}

/** The log's size on every node that answers (the drill's starting offsets). */
export async function transitionLogSizes(env: Pick<DrillEnv, 'config' | 'host'>, path: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>()
  await Promise.all(
    env.config.nodes.map(async (node) => {
      const r = await env.host(node.name).run(logSizeScript(path), {label: 'transition log size', timeoutMs: 20_000}).catch(() => undefined)
      const size = r?.code === 0 ? parseLogSize(r.stdout) : undefined
      if (size !== undefined) sizes.set(node.name, size)
    }),
  )
  return sizes
}

/** Every answering node's transitions since its starting offset. */
export async function readTransitions(env: Pick<DrillEnv, 'config' | 'host'>, path: string, from: Map<string, number>): Promise<NodeTransitions[]> {
  const found = await Promise.all(
    env.config.nodes.map(async (node) => {
      const offset = from.get(node.name)
      if (offset === undefined) return undefined
      const r = await env.host(node.name).run(logSinceScript(path, offset), {label: 'read the transition log', timeoutMs: 30_000}).catch(() => undefined)
      return r?.code === 0 ? parseTransitions(node.name, r.stdout) : undefined
    }),
  )
  return found.filter((t): t is NodeTransitions => t !== undefined && t.commands > 0)
}
