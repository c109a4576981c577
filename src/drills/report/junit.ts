/**
 * `--junit FILE.xml` for CI: one <testsuite>, one <testcase> per drill, a <failure> (drill missed
 * its expectation), <error> (drill could not run properly) or <skipped> (refused: cluster not
 * healthy). Hand-written because it is small; every text goes through xmlEscape.
 */
import type {DrillReport, DrillResult} from '../types.js'
import {measuredRows, reasonLine} from './format.js'

/** Escapes text for XML attributes and content, and drops characters XML 1.0 cannot hold at all. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

const seconds = (ms: number) => (ms / 1000).toFixed(3)

function testcase(report: DrillReport, r: DrillResult): string {
  const attrs = `classname="${xmlEscape(`hapair.${report.cluster}.${report.stack}`)}" name="${xmlEscape(r.scenario)}" time="${seconds(r.durationMs)}"`
  const details = xmlEscape(measuredRows(r).map(([k, v]) => `${k}: ${v}`).join('\n'))
  const message = xmlEscape(r.status === 'refused' ? reasonLine(r) : (r.failures[0]?.split('\n')[0] ?? r.status))
  const body =
    r.status === 'passed'
      ? ''
      : r.status === 'refused'
        ? `\n      <skipped message="${message}"/>`
        : `\n      <${r.status === 'error' ? 'error' : 'failure'} message="${message}" type="${r.status}">${xmlEscape(r.failures.join('\n'))}</${r.status === 'error' ? 'error' : 'failure'}>`
  return `    <testcase ${attrs}>${body}\n      <system-out>${details}</system-out>\n    </testcase>`
}

export function renderJunit(report: DrillReport): string {
  const count = (s: DrillResult['status']) => report.drills.filter((d) => d.status === s).length
  const total = report.drills.reduce((sum, d) => sum + d.durationMs, 0)
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="hapair failover-test" tests="${report.drills.length}" failures="${count('failed')}" errors="${count('error')}" skipped="${count('refused')}" time="${seconds(total)}">`,
    `  <testsuite name="${xmlEscape(`failover-test ${report.cluster} (${report.stack}, ${report.environment})`)}" tests="${report.drills.length}" failures="${count('failed')}" errors="${count('error')}" skipped="${count('refused')}" time="${seconds(total)}" timestamp="${xmlEscape(report.startedAt.replace(/\.\d+Z$/, ''))}">`,
    ...report.drills.map((r) => testcase(report, r)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}
