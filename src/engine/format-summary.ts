import type {RunSummary} from './runner.js'

/** The closing report of a run: the plan in full for --dry-run, a one-line verdict otherwise. */
export function formatSummary(summary: RunSummary, dryRun: boolean): string {
  const lines: string[] = []
  if (dryRun) {
    for (const step of summary.steps) {
      if (step.planned.length === 0) continue
      lines.push(`\n== ${step.title} [${step.id}]`, ...step.notes.map((n) => `  note: ${n}`), ...step.planned.map((p) => `  ${p.replace(/\n/g, '\n  ')}`))
    }
    lines.push(
      '',
      summary.planned === 0
        ? `Dry run: nothing to change (${summary.steps.length} steps checked).`
        : `Dry run: ${summary.planned} of ${summary.steps.length} steps would change something; nothing was touched.`,
    )
    return lines.join('\n')
  }
  if (summary.changed === 0) return `No changes: all ${summary.steps.length} steps already converged.`
  return `${summary.changed} step${summary.changed === 1 ? '' : 's'} changed, ${summary.unchanged} already converged.`
}
