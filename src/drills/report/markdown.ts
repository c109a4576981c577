/** `--report FILE.md`: a summary table, then one section per drill with its measurements and failures. */
import type {DrillReport} from '../types.js'
import {floorRows, measuredRows, ms, ratioText, verdictWord} from './format.js'

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, '<br>')

export function renderMarkdown(report: DrillReport): string {
  const floor = report.floor
  const lines = [
    `# Failover drills: ${report.cluster}`,
    '',
    `Stack ${report.stack}, ${report.environment === 'lab' ? 'built-in lab' : 'real hosts'}, ${report.startedAt} to ${report.finishedAt}. ` +
      `**${report.passed ? 'All drills passed.' : 'Some drills failed.'}**`,
    '',
    `| scenario | verdict | stall | detection bound | lost acked writes | serving after |${floor ? ' floor | ratio | target |' : ''}`,
    `|---|---|---|---|---|---|${floor ? '---|---|---|' : ''}`,
    ...report.drills.map(
      (r) =>
        `| ${r.scenario} | ${verdictWord(r)} | ${ms(r.timeline?.stallMs)} | ${ms(r.expectation.detectionBoundMs)} | ${r.writes ? (r.writes.verified ? r.writes.lost.length : 'not verified') : '—'} | ${r.endedOn ?? '—'} |` +
        (floor ? ` ${ms(r.floor?.floorMs)} | ${ratioText(r.floor?.ratio ?? null)} | ${r.floor ? `<= ${ms(r.floor.targetMs)} ${r.floor.withinTarget === null ? '' : r.floor.withinTarget ? 'within' : 'MISSED'}`.trim() : '—'} |` : ''),
    ),
  ]
  if (floor) {
    lines.push('', '## floor: the bare release and acquire, HA manager stopped', '', '| | |', '|---|---|', ...floorRows(floor).map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`))
  }
  for (const r of report.drills) {
    lines.push('', `## ${r.scenario}: ${r.summary}`, '', '| | |', '|---|---|', ...measuredRows(r).map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`))
    if (r.failures.length) lines.push('', '**Why it failed:**', '', ...r.failures.map((f) => `- ${f.replace(/\n\s*/g, ' ')}`))
    if (r.heal?.actions.length) lines.push('', 'Heal actions:', '', ...r.heal.actions.map((a) => `- ${a}`))
    if (r.notes.length) lines.push('', 'Notes:', '', ...r.notes.map((n) => `- ${n}`))
  }
  return `${lines.join('\n')}\n`
}
