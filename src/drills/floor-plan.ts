/**
 * The floor's pure parts: the order of its steps, when a bare acquire may run, the medians it
 * reports, and each drill's stall beside it (issue 13). The I/O is in floor.ts.
 */
import type {ClusterConfig} from '../config/schema.js'
import {isHealthyPair} from '../cluster-state/drbd.js'
import type {NodeState} from '../cluster-state/node-state.js'
import type {DrillFloor, DrillResult, FloorHandover, FloorRule} from './types.js'

/** Timed handovers there and back: 3 rounds, 6 handovers, 3 each way. */
export const FLOOR_ROUNDS = 3
/** The target's slack on top of the share and 1.5 x the floor. */
export const TARGET_SLACK_MS = 1000
export const TARGET_FACTOR = 1.5

export type FloorStep =
  | {kind: 'stop-ha'; node: string}
  /** Until no node serves any part (the manager's own release on stop may still run). */
  | {kind: 'wait-released'}
  | {kind: 'release'; node: string; timed: boolean}
  | {kind: 'acquire'; node: string; timed: boolean}

/**
 * The floor, start to end. The standby's manager is stopped first, so stopping the active one's
 * (which releases the service through the stack's own scripts) leaves no manager to take over.
 * The service is brought back on the active node untimed, then moved there and back `rounds`
 * times with every release and acquire timed, and released at the end so the restored manager
 * starts from a quiet cluster. Every acquire follows the release of the other node.
 */
export function floorPlan(active: string, peer: string, rounds = FLOOR_ROUNDS): FloorStep[] {
  const steps: FloorStep[] = [{kind: 'stop-ha', node: peer}, {kind: 'stop-ha', node: active}, {kind: 'wait-released'}, {kind: 'acquire', node: active, timed: false}]
  for (let i = 0; i < rounds; i++) {
    for (const [from, to] of [
      [active, peer],
      [peer, active],
    ]) {
      steps.push({kind: 'release', node: from, timed: true}, {kind: 'acquire', node: to, timed: true})
    }
  }
  steps.push({kind: 'release', node: active, timed: false})
  return steps
}

/** No part of the service anywhere: DRBD Secondary (or down), nothing mounted, no VIP, no nfsd. */
export function nothingServed(config: ClusterConfig, states: Record<string, NodeState | undefined>): boolean {
  return config.nodes.every((n) => {
    const s = states[n.name]
    return Boolean(s) && s!.drbd?.role !== 'Primary' && !s!.mounted && !s!.vipHeld && !s!.nfsdThreads
  })
}

/**
 * Why `to` may not promote now (undefined: it may): both nodes answer, DRBD is connected with both
 * disks UpToDate, both are Secondary, and the other node holds no mount and no VIP. The bare
 * acquire checks the roles and its disk again on the node itself.
 */
export function acquireRefusal(config: ClusterConfig, states: Record<string, NodeState | undefined>, to: string): string | undefined {
  const other = config.nodes.find((n) => n.name !== to)!.name
  const s = states[to]
  const o = states[other]
  if (!s || !o) return `${!s ? to : other} does not answer`
  if (!isHealthyPair(s.drbd)) return `DRBD on ${to} is not Connected with both disks UpToDate`
  if (s.drbd!.role !== 'Secondary' || s.drbd!.peerRole !== 'Secondary') return `DRBD is ${s.drbd!.role} on ${to} and ${s.drbd!.peerRole} on ${other}, not Secondary on both`
  if (o.mounted || o.vipHeld) return `${other} still holds ${o.mounted ? 'the mount' : 'the VIP'}`
  return undefined
}

export const median = (xs: number[]): number | null => {
  if (!xs.length) return null
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2)
}

export function floorMedians(handovers: FloorHandover[]): {releaseMs: number | null; acquireMs: number | null} {
  return {releaseMs: median(handovers.map((h) => h.releaseMs)), acquireMs: median(handovers.map((h) => h.acquireMs))}
}

/** The floor a scenario's takeover needs, its detection-bound share, the ratio and the target. */
export function drillFloor(rule: FloorRule, stallMs: number | null | undefined, detectionBoundMs: number, floor: {releaseMs: number; acquireMs: number}): DrillFloor {
  const detectionShareMs = rule.detection === 'bound' ? detectionBoundMs : 0
  const floorMs = rule.commands === 'handover' ? floor.releaseMs + floor.acquireMs : floor.acquireMs
  const targetMs = Math.round(detectionShareMs + TARGET_FACTOR * floorMs + TARGET_SLACK_MS)
  const measured = stallMs !== null && stallMs !== undefined
  const base = detectionShareMs + floorMs
  return {
    rule,
    detectionShareMs,
    floorMs,
    ratio: measured && base > 0 ? Math.round((stallMs / base) * 100) / 100 : null,
    targetMs,
    withinTarget: measured ? stallMs <= targetMs : null,
  }
}

/** Each drill with its floor figures, where the floor was measured and the drill's scenario has a rule. */
export function withFloor(drills: DrillResult[], rules: Map<string, FloorRule>, floor: {releaseMs: number | null; acquireMs: number | null} | undefined): DrillResult[] {
  if (!floor || floor.releaseMs === null || floor.acquireMs === null) return drills
  const measured = {releaseMs: floor.releaseMs, acquireMs: floor.acquireMs}
  return drills.map((d) => {
    const rule = rules.get(d.scenario)
    return rule && d.status !== 'refused' ? {...d, floor: drillFloor(rule, d.timeline?.stallMs, d.expectation.detectionBoundMs, measured)} : d
  })
}
