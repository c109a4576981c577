/**
 * What the state file keeps of each drill (JSON-serialisable, small): enough for `hapair history`
 * to show when a drill ran, how it ended and what the client felt, without the raw samples.
 */
import type {DrillResult, DrillStatus, ScenarioId} from './types.js'

export interface DrillRecord {
  scenario: ScenarioId
  startedAt: string
  durationMs: number
  status: DrillStatus
  activeBefore: string | null
  endedOn: string | null
  stallMs: number | null
  clientResumedMs: number | null
  detectionBoundMs: number
  acknowledged: number
  lost: number
  corrupted: number
  splitBrain: 'none' | 'suspected' | 'confirmed'
  healthyAfter: boolean
  failures: string[]
}

export function toDrillRecord(r: DrillResult): DrillRecord {
  return {
    scenario: r.scenario,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    status: r.status,
    activeBefore: r.activeBefore ?? null,
    endedOn: r.endedOn,
    stallMs: r.timeline?.stallMs ?? null,
    clientResumedMs: r.timeline?.clientResumedMs ?? null,
    detectionBoundMs: r.expectation.detectionBoundMs,
    acknowledged: r.writes?.acknowledged ?? 0,
    lost: r.writes?.lost.length ?? 0,
    corrupted: r.writes?.corrupted.length ?? 0,
    splitBrain: r.splitBrain?.state ?? 'none',
    healthyAfter: r.heal?.healthy ?? false,
    failures: r.failures.map((f) => f.split('\n')[0]),
  }
}
