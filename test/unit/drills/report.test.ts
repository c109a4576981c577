import assert from 'node:assert/strict'
import {test} from 'node:test'
import {drillsFailed} from '../../../src/drills/outcome.js'
import {floorRows, floorText, measuredRows, milestone, ms} from '../../../src/drills/report/format.js'
import {withFloor} from '../../../src/drills/floor-plan.js'
import {SCENARIOS} from '../../../src/drills/scenarios/index.js'
import type {DrillReport, FloorMeasurement} from '../../../src/drills/types.js'
import {renderJunit, xmlEscape} from '../../../src/drills/report/junit.js'
import {renderMarkdown} from '../../../src/drills/report/markdown.js'
import {renderTables} from '../../../src/drills/report/table.js'
import {failed, passed, report} from './sample-report.js'

test('times and milestones read the same in every report', () => {
  assert.equal(ms(610), '610 ms')
  assert.equal(ms(2200), '2.2 s')
  assert.equal(ms(null), '—')
  assert.equal(milestone({atMs: 0, changed: false}), 'unchanged')
  assert.equal(milestone({atMs: null, changed: false}), 'never')
  const rows = Object.fromEntries(measuredRows(passed))
  assert.equal(rows['client-visible stall'], '2.2 s (detection bound 3.6 s)')
  assert.equal(rows['lost acked writes'], '0')
  assert.equal(rows.verdict, 'PASS')
  assert.equal(Object.fromEntries(measuredRows(failed))['lost acked writes'], '2 (57-58)')
})

test('terminal tables: one per drill, verdicts, failures listed, a closing count', () => {
  const text = renderTables(report)
  assert.match(text, /│ stop-ha +│ PASS +│/)
  assert.match(text, /│ fault +│ stop the HA daemon on the active node +│/)
  assert.match(text, /PASS/)
  assert.match(text, /FAIL/)
  assert.match(text, /✗ 2 acknowledged write\(s\) lost: record\(s\) 57-58/)
  assert.match(text, /1 of 2 drill\(s\) passed \(drillpair, stack keepalived, lab\)\.$/)
})

test('Markdown: summary table and a section per drill, pipes escaped', () => {
  const md = renderMarkdown(report)
  assert.match(md, /^# Failover drills: drillpair\n/)
  assert.match(md, /\| stop-ha \| PASS \| 2\.2 s \| 3\.6 s \| 0 \| node2 \|/)
  assert.match(md, /\| kill-ha \| FAIL \| 30\.0 s \| 3\.6 s \| 2 \| — \|/)
  assert.match(md, /## kill-ha: SIGKILL the HA daemon on the active node/)
  assert.match(md, /\*\*Why it failed:\*\*/)
  const piped = renderMarkdown({...report, drills: [{...passed, expectation: {...passed.expectation, text: 'a | b'}}]})
  assert.match(piped, /^\| expectation \| a \\\| b \|$/m)
})

test('xmlEscape: markup characters escaped, characters XML cannot hold dropped', () => {
  assert.equal(xmlEscape(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;')
  assert.equal(xmlEscape('bell\u0007 nul\u0000 tab\tok'), 'bell nul tab\tok')
  assert.equal(xmlEscape('über 10 µs ✓'), 'über 10 µs ✓')
})

test('JUnit: one testcase per drill, <failure> with the reasons, counts on the suite', () => {
  const xml = renderJunit(report)
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="hapair failover-test" tests="2" failures="1" errors="0" skipped="0" time="43\.000">/)
  assert.match(xml, /<testcase classname="hapair\.drillpair\.keepalived" name="stop-ha" time="21\.500">\n      <system-out>/)
  assert.match(xml, /<testcase classname="hapair\.drillpair\.keepalived" name="kill-ha" time="21\.500">\n      <failure message="2 acknowledged write\(s\) lost: record\(s\) 57-58" type="failed">/)
  assert.match(xml, /odd text: &lt;tag&gt; &amp; &quot;quotes&quot; bell/)
  assert.doesNotMatch(xml, /\u0007/)
  assert.match(xml, /both nodes hold the VIP &lt;10\.9\.0\.100&gt;/)
  assert.equal((xml.match(/<testcase /g) ?? []).length, 2)
  assert.equal((xml.match(/<\/testcase>/g) ?? []).length, 2)
})

const refusal = 'the cluster is not healthy, so the drill did not start:\n  node2: DRBD r0 is not Connected\n    fix: hapair drbd-init\n  nobody holds the VIP\n    fix: systemctl start keepalived'
const refused = {...failed, status: 'refused' as const, timeline: undefined, writes: undefined, heal: undefined, failures: [refusal]}

test('JUnit: refused drills are skipped with the whole reason, drill errors are <error>', () => {
  const xml = renderJunit({...report, drills: [refused, {...failed, status: 'error', failures: ['drill error: boom']}]})
  assert.match(xml, /skipped="1"/)
  assert.match(
    xml,
    /<skipped message="the cluster is not healthy, so the drill did not start: node2: DRBD r0 is not Connected \(fix: hapair drbd-init\); nobody holds the VIP \(fix: systemctl start keepalived\)"\/>/,
  )
  assert.match(xml, /errors="1"/)
  assert.match(xml, /<error message="drill error: boom" type="error">drill error: boom<\/error>/)
})

test('a refused drill reads as refused: no table of dashes, REFUSED, the reason, a count that says so', () => {
  const text = renderTables({...report, drills: [refused]})
  assert.match(text, /│ kill-ha +│ REFUSED +│/)
  assert.doesNotMatch(text, /—/)
  assert.match(text, /✗ the cluster is not healthy, so the drill did not start:\n {2}node2: DRBD r0 is not Connected/)
  assert.match(text, /0 of 1 drill\(s\) passed, 1 refused to start \(no fault was injected\)/)
  assert.deepEqual(measuredRows(refused).at(-1), ['verdict', 'REFUSED'])
})

test('exit codes: only refusals are 5 (nothing was tested), any missed expectation is 3', () => {
  const onlyRefused = drillsFailed({...report, passed: false, drills: [passed, refused]})
  assert.equal(onlyRefused.exitCode, 5)
  assert.match(onlyRefused.message, /^drill\(s\) refused to start, so nothing was tested: kill-ha \(the cluster is not healthy, so the drill did not start: node2: DRBD r0 is not Connected \(fix: hapair drbd-init\); nobody holds/)
  assert.deepEqual(onlyRefused.problems, [{message: 'kill-ha: the cluster is not healthy, so the drill did not start: node2: DRBD r0 is not Connected (fix: hapair drbd-init); nobody holds the VIP (fix: systemctl start keepalived)'}])
  const mixed = drillsFailed({...report, passed: false, drills: [failed, refused]})
  assert.equal(mixed.exitCode, 3)
  assert.match(mixed.message, /missed their expectation: kill-ha$/)
  assert.equal(drillsFailed({...report, passed: false, drills: []}).exitCode, 3, 'nothing ran is not a refusal')
})

/** The report of a `--floor` run: the lab numbers (stop-ha stalled 41.8 s; release 1.2 s, acquire 2.2 s). */
const floorMeasured: FloorMeasurement = {
  status: 'measured',
  handovers: [
    {from: 'node1', to: 'node2', releaseMs: 1200, acquireMs: 2110},
    {from: 'node2', to: 'node1', releaseMs: 1230, acquireMs: 2280},
    {from: 'node1', to: 'node2', releaseMs: 1210, acquireMs: 2200},
  ],
  releaseMs: 1210,
  acquireMs: 2200,
  actions: ['node2: stopped keepalived', 'node1: stopped keepalived'],
  restore: {healthy: true, actions: ['node1: start keepalived', 'node2: start keepalived'], leftovers: []},
  failures: [],
}
const rules = new Map(SCENARIOS.map((s) => [s.id as string, s.floorRule]))
const stalled = {...passed, timeline: {...passed.timeline!, stallMs: 41_800}}
const floorReport: DrillReport = {...report, drills: withFloor([stalled, failed], rules, floorMeasured), floor: floorMeasured}

test('--floor: each drill’s stall beside the floor, in one row of every report', () => {
  const rows = Object.fromEntries(measuredRows(floorReport.drills[0]))
  assert.equal(rows['beside the floor'], '12.26x (detection share 0 ms + floor 3.4 s: release + acquire); target <= 6.1 s: MISSED')
  assert.equal(Object.fromEntries(measuredRows(floorReport.drills[1]))['beside the floor'], '4.25x (detection share 3.6 s + floor 3.4 s: release + acquire); target <= 9.8 s: MISSED')
  assert.equal(Object.fromEntries(measuredRows(passed))['beside the floor'], undefined, 'no floor, no row')
  assert.equal(floorText({...floorReport.drills[0].floor!, ratio: null, withinTarget: null}), '— (detection share 0 ms + floor 3.4 s: release + acquire); target <= 6.1 s: no stall measured')
})

test('--floor: the measurement itself, first in the tables and its own Markdown section, summary columns', () => {
  assert.deepEqual(floorRows(floorMeasured), [
    ['status', 'measured'],
    ['timed handovers', 'node1 -> node2 1.2 s + 2.1 s; node2 -> node1 1.2 s + 2.3 s; node1 -> node2 1.2 s + 2.2 s'],
    ['bare release (median)', '1.2 s (1.2 s–1.2 s)'],
    ['bare acquire (median)', '2.2 s (2.1 s–2.3 s)'],
    ['HA manager restored', 'healthy'],
  ])
  const text = renderTables(floorReport)
  assert.match(text, /^┌[─┬]+┐\n│ floor +│ bare commands, HA manager stopped +│/)
  assert.ok(text.indexOf('bare acquire (median)') < text.indexOf('stop-ha'), 'the floor comes before the drills')
  const md = renderMarkdown(floorReport)
  assert.match(md, /\| scenario \| verdict \| stall \| detection bound \| lost acked writes \| serving after \| floor \| ratio \| target \|\n\|---\|---\|---\|---\|---\|---\|---\|---\|---\|/)
  assert.match(md, /\| stop-ha \| PASS \| 41\.8 s \| 3\.6 s \| 0 \| node2 \| 3\.4 s \| 12\.26x \| <= 6\.1 s MISSED \|/)
  assert.match(md, /## floor: the bare release and acquire, HA manager stopped\n\n\| \| \|\n\|---\|---\|\n\| status \| measured \|/)
  assert.doesNotMatch(renderMarkdown(report), /floor/, 'a run without --floor reads as before')
})

test('--floor: a floor that failed says why and how the cluster was left', () => {
  const failedFloor: FloorMeasurement = {
    ...floorMeasured,
    status: 'failed',
    handovers: [],
    releaseMs: null,
    acquireMs: null,
    restore: {healthy: false, actions: [], leftovers: [{node: 'node2', problem: 'keepalived is not running', fix: 'systemctl start keepalived on node2'}]},
    failures: ['node2: the bare acquire refused and changed nothing:\nrefused: peer role Primary'],
  }
  const rows = Object.fromEntries(floorRows(failedFloor))
  assert.equal(rows['timed handovers'], 'none')
  assert.equal(rows['bare release (median)'], '—')
  assert.equal(rows['HA manager restored'], 'NOT healthy: node2: keepalived is not running (fix: systemctl start keepalived on node2)')
  assert.equal(rows.why, 'node2: the bare acquire refused and changed nothing: refused: peer role Primary')
  // Without a floor measured, no drill gets figures.
  assert.deepEqual(withFloor([passed], rules, failedFloor), [passed])
})
