/** The terminal report: one table per drill (cli-table3), then why any drill failed. */
import Table from 'cli-table3'
import type {DrillReport} from '../types.js'
import {floorRows, measuredRows, verdictWord} from './format.js'

export function renderTables(report: DrillReport, opts: {color?: (verdict: string, text: string) => string} = {}): string {
  const paint = opts.color ?? ((_v: string, text: string) => text)
  const out: string[] = []
  if (report.floor) {
    const table = new Table({head: ['floor', 'bare commands, HA manager stopped'], wordWrap: true, colWidths: [32, 70], style: {head: [], border: []}})
    for (const row of floorRows(report.floor)) table.push(row)
    out.push(table.toString())
  }
  for (const r of report.drills) {
    const table = new Table({head: [r.scenario, paint(verdictWord(r), verdictWord(r))], wordWrap: true, colWidths: [32, 70], style: {head: [], border: []}})
    table.push(['fault', r.summary])
    for (const [label, value] of measuredRows(r)) table.push([label, label === 'verdict' ? paint(value, value) : value])
    out.push(table.toString())
    for (const f of r.failures) out.push(`  ✗ ${f}`)
  }
  const passed = report.drills.filter((d) => d.status === 'passed').length
  const refused = report.drills.filter((d) => d.status === 'refused').length
  const refusedText = refused ? `, ${refused} refused to start (no fault was injected)` : ''
  out.push(`${passed} of ${report.drills.length} drill(s) passed${refusedText} (${report.cluster}, stack ${report.stack}, ${report.environment}).`)
  return out.join('\n')
}
