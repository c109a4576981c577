/** Small, pure formatters every report shares, so the table, Markdown and JUnit say the same thing. */
import {formatSeqs} from '../records.js'
import type {HealthProblem} from '../../cluster-state/health.js'
import type {DrillFloor, DrillResult, FloorMeasurement, Milestone, NodeTransitions} from '../types.js'

export const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`)

/** A milestone: its time, "unchanged" when it held throughout, "never" when it was not reached. */
export function milestone(m: Milestone | undefined): string {
  if (!m) return '—'
  if (m.atMs === null) return 'never'
  return m.changed ? ms(m.atMs) : 'unchanged'
}

export const verdictWord = (r: DrillResult): string => ({passed: 'PASS', failed: 'FAIL', refused: 'REFUSED', error: 'ERROR'})[r.status]

/**
 * Every reason of a drill on one line (a problem list's indented lines joined by "; "): for a
 * one-line attribute such as JUnit's <skipped message>, which once kept only the first line,
 * "the cluster is not healthy, so the drill did not start:", and lost the why.
 */
export function reasonLine(r: DrillResult): string {
  const parts = r.failures.flatMap((f) => f.split('\n')).map((l) => l.trim()).filter(Boolean)
  const joined = parts.map((p, i) => (i === 0 ? p : p.startsWith('fix:') ? ` (${p})` : parts[i - 1].endsWith(':') ? ` ${p}` : `; ${p}`))
  return joined.join('') || r.status
}

/** The measured rows of one drill, label then value, in the order every report shows them. */
export function measuredRows(r: DrillResult): Array<[string, string]> {
  // A refused drill measured nothing: a table of dashes would read as a drill that ran and saw nothing.
  if (r.status === 'refused') return [['expectation', r.expectation.text], ['did not start', 'nothing was done (see why below)'], ['verdict', verdictWord(r)]]
  const t = r.timeline
  const w = r.writes
  const rows: Array<[string, string]> = [
    ['expectation', r.expectation.text],
    ['active before -> serving after', `${r.activeBefore ?? '—'} -> ${r.endedOn ?? 'nobody'}`],
    ['VIP on serving node', milestone(t?.vip)],
    ['DRBD Primary there', milestone(t?.primary)],
    ['filesystem mounted', milestone(t?.mounted)],
    ['nfsd running', milestone(t?.nfsd)],
    ['service answering (client)', milestone(t?.serviceAnswering)],
    ['client writing again', ms(t?.clientResumedMs)],
    ['client-visible stall', `${ms(t?.stallMs)} (detection bound ${ms(r.expectation.detectionBoundMs)})`],
  ]
  if (r.floor) rows.push(['beside the floor', floorText(r.floor)])
  if (t && (t.dualPrimaryMs > 0 || t.dualVipMs > 0)) rows.push(['both nodes at once', `Primary ${ms(t.dualPrimaryMs)}, VIP ${ms(t.dualVipMs)}`])
  if (w) {
    rows.push(['writes acked / failed', `${w.acknowledged} / ${w.failed} (${w.writer})`])
    rows.push(['lost acked writes', w.verified ? `${w.lost.length}${w.lost.length ? ` (${formatSeqs(w.lost)})` : ''}` : 'not verified'])
    if (w.corrupted.length) rows.push(['corrupted acked writes', `${w.corrupted.length} (${formatSeqs(w.corrupted)})`])
  }
  if (r.splitBrain && r.splitBrain.state !== 'none') rows.push(['split brain', `${r.splitBrain.state}: ${r.splitBrain.fix}`])
  for (const t of r.transitions ?? []) rows.push([`${t.node}: HA scripts' slowest commands`, transitionText(t)])
  if (r.heal) rows.push(['after heal', r.heal.healthy ? 'healthy' : `NOT healthy: ${leftoversText(r.heal.leftovers)}`])
  rows.push(['verdict', verdictWord(r)])
  return rows
}

/** "3 transitions, 14 commands, 9.2 s: systemctl restart nfs-server 4.1 s (master); ..." */
export function transitionText(t: NodeTransitions): string {
  const items = t.biggest.map((c) => `${c.command} ${ms(c.ms)} (${c.action}${c.exit === 0 ? '' : `, exit ${c.exit}`})`)
  return `${t.transitions} transition${t.transitions === 1 ? '' : 's'}, ${t.commands} command${t.commands === 1 ? '' : 's'}, ${ms(t.totalMs)}: ${items.join('; ')}`
}

/** What a heal could not fix, on one line: "node2: keepalived is not running (fix: ...); ..." */
export function leftoversText(leftovers: HealthProblem[]): string {
  return leftovers.map((l) => `${l.node ? `${l.node}: ` : ''}${l.problem} (fix: ${l.fix})`).join('; ')
}

export const ratioText = (ratio: number | null): string => (ratio === null ? '—' : `${ratio.toFixed(2)}x`)

/** "stall 41.8 s = 12.30x (detection share 0 ms + floor 3.4 s: release + acquire); target <= 6.1 s: MISSED" */
export function floorText(f: DrillFloor): string {
  const what = f.rule.commands === 'handover' ? 'release + acquire' : 'acquire alone'
  const verdict = f.withinTarget === null ? 'no stall measured' : f.withinTarget ? 'within' : 'MISSED'
  return `${ratioText(f.ratio)} (detection share ${ms(f.detectionShareMs)} + floor ${ms(f.floorMs)}: ${what}); target <= ${ms(f.targetMs)}: ${verdict}`
}

/** The floor measurement's own rows, label then value, for every report. */
export function floorRows(f: FloorMeasurement): Array<[string, string]> {
  const spread = (xs: number[]) => (xs.length ? ` (${ms(Math.min(...xs))}–${ms(Math.max(...xs))})` : '')
  const rows: Array<[string, string]> = [
    ['status', f.status],
    ['timed handovers', f.handovers.map((h) => `${h.from} -> ${h.to} ${ms(h.releaseMs)} + ${ms(h.acquireMs)}`).join('; ') || 'none'],
    ['bare release (median)', `${ms(f.releaseMs)}${spread(f.handovers.map((h) => h.releaseMs))}`],
    ['bare acquire (median)', `${ms(f.acquireMs)}${spread(f.handovers.map((h) => h.acquireMs))}`],
  ]
  if (f.restore) rows.push(['HA manager restored', f.restore.healthy ? 'healthy' : `NOT healthy: ${leftoversText(f.restore.leftovers)}`])
  for (const why of f.failures) rows.push(['why', why.replace(/\n\s*/g, ' ')])
  return rows
}
