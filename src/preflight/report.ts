/** Pure renderings of preflight findings for a terminal: a table, and a one-line verdict. */
import chalk from 'chalk'
import Table from 'cli-table3'
import type {Finding, Level} from './finding.js'

const paint: Record<Level, (s: string) => string> = {ok: chalk.green, warn: chalk.yellow, fail: chalk.red}

/** A table of node, check, level, message, fix, fitted to `width` columns (long text wraps). */
export function findingsTable(findings: Finding[], width = 120): string {
  const nodeW = Math.max(6, ...findings.map((f) => f.node.length)) + 2
  const checkW = Math.max(7, ...findings.map((f) => f.check.length)) + 2
  const levelW = 6
  // What is left after the fixed columns and the borders (6 bars), split between message and fix.
  const rest = Math.max(40, width - nodeW - checkW - levelW - 6)
  const messageW = Math.ceil(rest * 0.55)
  const fixW = rest - messageW
  const table = new Table({
    head: ['node', 'check', 'level', 'message', 'fix'],
    colWidths: [nodeW, checkW, levelW, messageW, fixW],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: {head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 0},
  })
  for (const f of findings) {
    const fix = f.fix ? `${f.fixable ? '[--fix] ' : ''}${f.fix}` : ''
    table.push([f.node, f.check, paint[f.level](f.level), oneLine(f.message), oneLine(fix)])
  }
  return table.toString()
}

/** "12 ok, 2 warnings, 1 failure; 2 can be repaired with --fix" */
export function verdictLine(findings: Finding[], fixApplied: boolean): string {
  const count = (l: Level) => findings.filter((f) => f.level === l).length
  const [ok, warn, fail] = [count('ok'), count('warn'), count('fail')]
  const parts = [`${ok} ok`, `${warn} warning${warn === 1 ? '' : 's'}`, `${fail} failure${fail === 1 ? '' : 's'}`]
  const fixable = findings.filter((f) => f.fixable && f.level !== 'ok').length
  const hint = fixable && !fixApplied ? `; ${fixable} can be repaired: hapair preflight --fix (add --dry-run to see the changes first)` : ''
  const colour = fail ? chalk.red : warn ? chalk.yellow : chalk.green
  return colour(parts.join(', ')) + hint
}

/** Table cells wrap by words; line breaks inside a message (remote error output) would be cut instead. */
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim()
