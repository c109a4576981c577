/**
 * How a drill run that did not pass ends: a drill that missed its expectation (or broke) is exit 3;
 * drills that only refused to start (the cluster was not healthy, or the client could not write
 * before any fault) are exit 5: nothing was tested and no fault injected, which CI must not read
 * as "failover is broken".
 */
import {CommandFailed, ExitCode} from '../errors.js'
import {reasonLine} from './report/format.js'
import type {DrillReport} from './types.js'

export function drillsFailed(report: DrillReport & {notRun?: string[]}): CommandFailed {
  const notPassed = report.drills.filter((d) => d.status !== 'passed')
  const problems = notPassed.map((d) => ({message: `${d.scenario}: ${reasonLine(d)}`}))
  const missed = notPassed.filter((d) => d.status !== 'refused')
  if (missed.length === 0 && notPassed.length > 0) {
    return new CommandFailed(
      `drill(s) refused to start, so nothing was tested: ${notPassed.map((d) => `${d.scenario} (${reasonLine(d)})`).join('; ')}`,
      ExitCode.refused,
      report,
      problems,
      'put right what the refusal names (`hapair status` shows the cluster), then run the drills again',
    )
  }
  return new CommandFailed(`drill(s) missed their expectation: ${missed.map((d) => d.scenario).join(', ') || 'none ran'}`, ExitCode.verifyFailed, report, problems)
}
