/** Pure renderings of the state file's runs for `hapair history`. */
import type {RunRecord} from './state-file.js'

/** Whether a run's process still lives: its pid on this host (injected: the views stay pure). */
export type RunAlive = (run: RunRecord) => boolean

/**
 * What a run's status means now. A run still marked "running" whose process is gone was killed
 * (SIGKILL, a crash, a lost machine) before it could record its end. A dry run changed nothing,
 * so its status is said as a dry run's.
 */
export function runStatusLabel(run: RunRecord, alive: RunAlive): string {
  const status = run.status === 'running' && !alive(run) ? 'abandoned (process gone)' : run.status
  return run.dryRun ? `dry run: ${status}` : status
}

const duration = (run: RunRecord) =>
  run.finishedAt ? `${((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)}s` : '-'

export function runsTable(runs: readonly RunRecord[], alive: RunAlive): string {
  if (runs.length === 0) return 'No runs recorded yet.'
  const rows = runs.map((r, i) => {
    const changed = r.steps.filter((s) => s.status === 'changed').length
    const failed = r.steps.find((s) => s.status === 'failed' || s.status === 'interrupted')
    return [String(i + 1), r.startedAt.replace('T', ' ').slice(0, 19), r.command, runStatusLabel(r, alive), `${r.steps.length} steps, ${changed} changed${failed ? `, stopped at ${failed.id}` : ''}${r.drills?.length ? `, ${r.drills.length} drills` : ''}`, duration(r)]
  })
  return table(['#', 'started (UTC)', 'command', 'status', 'steps', 'took'], rows)
}

export function runDetail(run: RunRecord, alive: RunAlive): string {
  const lines = [`${run.command} — ${runStatusLabel(run, alive)}, started ${run.startedAt}, hapair ${run.hapairVersion}, cluster file sha256 ${run.clusterHash.slice(0, 12)}`]
  for (const step of run.steps) {
    lines.push(`  ${step.status.padEnd(11)} ${step.id} (${step.durationMs} ms)`)
    // The reason whole, every line of it: the end of a message is often the useful part.
    if (step.error) lines.push(...step.error.split('\n').map((l, i) => `      ${i === 0 ? 'error: ' : '  '}${l}`))
    for (const note of step.notes) lines.push(`      note: ${note}`)
    for (const [node, rec] of Object.entries(step.nodes)) {
      for (const c of rec.changes) lines.push(`      ${node}: ${c.title}${c.code !== undefined ? ` (exit ${c.code})` : ''}${c.path ? ` sha256 ${c.sha256Before?.slice(0, 12) ?? 'none'} -> ${c.sha256After?.slice(0, 12)}` : ''}`)
    }
  }
  return lines.join('\n')
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
  return [fmt(head), ...rows.map(fmt)].join('\n')
}
