/** Several drills in a row: each starts from a healthy cluster, and a failure stops the rest unless --keep-going. */
import type {DrillEnv} from './env.js'
import {runDrill} from './run-drill.js'
import type {DrillReport, DrillResult, Scenario} from './types.js'

export interface RunDrillsOptions {
  keepGoing: boolean
  /** Names this run's record directories on the export. */
  runId: string
  /** Called after each drill (progress output, state recording). */
  onResult?(result: DrillResult): void
}

export async function runDrills(env: DrillEnv, scenarios: Scenario[], opts: RunDrillsOptions): Promise<DrillReport & {notRun: string[]}> {
  const startedAt = new Date().toISOString()
  const drills: DrillResult[] = []
  const notRun: string[] = []
  for (const [i, scenario] of scenarios.entries()) {
    if (env.signal?.aborted || (drills.some((d) => d.status !== 'passed') && !opts.keepGoing)) {
      notRun.push(...scenarios.slice(i).map((s) => s.id))
      break
    }
    env.log(`drill ${i + 1}/${scenarios.length}: ${scenario.id} (${scenario.summary})`)
    const result = await runDrill(env, scenario, `${opts.runId}-${scenario.id}`)
    drills.push(result)
    opts.onResult?.(result)
  }
  return {
    version: 1,
    cluster: env.config.name,
    stack: env.config.stack,
    environment: env.faults.kind,
    startedAt,
    finishedAt: new Date().toISOString(),
    passed: drills.length > 0 && notRun.length === 0 && drills.every((d) => d.status === 'passed'),
    drills,
    notRun,
  }
}
