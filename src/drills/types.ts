/**
 * The shapes every drill module shares: a scenario (inject a fault, heal it, say what should
 * happen), the context it acts in, and what a drill measured and concluded.
 */
import type {ClusterConfig, NodeConfig} from '../config/schema.js'
import type {Host} from '../transport/host.js'
import type {Faults} from './faults.js'
import type {HealthProblem} from '../cluster-state/health.js'
import type {SplitBrainFinding} from '../cluster-state/split-brain.js'
import type {StackDescriptor} from '../stacks/types.js'

export const SCENARIO_IDS = ['stop-ha', 'kill-ha', 'kill-service', 'crash-active', 'maintenance', 'failback', 'isolate'] as const
export type ScenarioId = (typeof SCENARIO_IDS)[number]

/** Where the service should be once the stack has reacted, relative to the node active at the fault. */
export type EndsOn = 'other' | 'same' | 'either'

export interface Expectation {
  /** One line for tables and reports. */
  text: string
  endsOn: EndsOn
  /** The client must be writing again within this (drill.timeoutSeconds). */
  maxStallMs: number
  /** What the stack's timers imply (e.g. 3 x advert_int), shown beside the measured stall. */
  detectionBoundMs: number
  /** Watch at least this long, so a stack that reacts quietly (restarting nfsd) has time to. */
  minObserveMs: number
  /** Leave the fault in place this long, then heal it inside the measured window (isolate). */
  holdMs?: number
}

export interface ScenarioContext {
  config: ClusterConfig
  stack: StackDescriptor
  faults: Faults
  /** Holds the service when the fault is injected. */
  active: NodeConfig
  peer: NodeConfig
  /** Where service belongs when all is well: the first node in the cluster file. */
  preferred: NodeConfig
  host(node: string): Host
  /** What inject did that heal must undo (e.g. which maintenance mode was used). */
  memo: Record<string, string>
  log(line: string): void
}

/**
 * How a scenario's stall is set beside the floor (issue 13: stall <= detection-bound share + 1.5 x
 * floor + 1 s): which share of the detection bound the takeover may spend before anyone acts, and
 * which of the bare commands it needs.
 */
export interface FloorRule {
  /** 'none': the manager hands over at once (keepalived's priority-0 advert on a clean stop); 'bound': the peer must first notice, the whole detection bound. */
  detection: 'none' | 'bound'
  /** 'handover': the active node releases, then the peer acquires; 'acquire': the active node is gone (power loss, cut link), the peer only acquires. */
  commands: 'handover' | 'acquire'
}

export interface Scenario {
  id: ScenarioId
  summary: string
  floorRule: FloorRule
  appliesTo(stack: StackDescriptor): boolean
  /** Needs a power loss (refused on real hosts without --allow-crash). */
  needsCrash?: boolean
  /** Untimed setup before the fault (failback first moves service off the preferred node). */
  prepare?(ctx: Omit<ScenarioContext, 'active' | 'peer'>): Promise<void>
  inject(ctx: ScenarioContext): Promise<void>
  /** Undoes the fault; returns what it did, for the report. Must be safe to run twice. */
  heal(ctx: ScenarioContext): Promise<string[]>
  expectation(config: ClusterConfig, stack: StackDescriptor): Expectation
}

/** A measured moment, relative to the fault; `changed` false: it already held and never stopped. */
export interface Milestone {
  atMs: number | null
  changed: boolean
}

export interface Timeline {
  vip: Milestone
  primary: Milestone
  mounted: Milestone
  /** nfsd running on the node that ended up serving. */
  nfsd: Milestone
  /** The client's service probe (an NFS directory listing through the VIP) answering for good. */
  serviceAnswering: Milestone
  /** First acknowledged write after the longest gap around the fault. */
  clientResumedMs: number | null
  /** Longest gap between two acknowledged writes around the fault: what the client felt. */
  stallMs: number | null
  /** Time both nodes were seen DRBD Primary at once / both holding the VIP at once. */
  dualPrimaryMs: number
  dualVipMs: number
}

export interface WriteSummary {
  /** Who wrote: the client transport (this machine's NFSv3 client, or a client node's kernel client). */
  writer: string
  attempted: number
  acknowledged: number
  failed: number
  /** Acknowledged, then missing afterwards. */
  lost: number[]
  /** Acknowledged, present afterwards, content differs. */
  corrupted: number[]
  /** Read back from the serving node after heal (false: could not check, which fails the drill). */
  verified: boolean
  verifiedOn?: string
  firstErrors: string[]
}

export type {SplitBrainFinding}

export interface HealOutcome {
  healthy: boolean
  actions: string[]
  leftovers: HealthProblem[]
}

export type DrillStatus = 'passed' | 'failed' | 'refused' | 'error'

/** One command of a transition, as the stack's scripts logged it. */
export interface TimedCommand {
  /** The transition (master, backup, stop, check, ...). */
  action: string
  ms: number
  exit: number
  command: string
}

/** A node's transitions during a drill: how many began, their commands' total and the slowest ones. */
export interface NodeTransitions {
  node: string
  transitions: number
  commands: number
  totalMs: number
  biggest: TimedCommand[]
}

export interface DrillResult {
  scenario: ScenarioId
  summary: string
  status: DrillStatus
  startedAt: string
  durationMs: number
  activeBefore?: string
  endedOn: string | null
  expectation: Expectation
  timeline?: Timeline
  writes?: WriteSummary
  splitBrain?: SplitBrainFinding
  heal?: HealOutcome
  /** From the fault until the cluster settled, per node (stacks whose scripts keep a transition log). */
  transitions?: NodeTransitions[]
  /** Set beside the floor measured in the same run (`failover-test --floor`). */
  floor?: DrillFloor
  /** Why the verdict is not `passed`; empty when it is. */
  failures: string[]
  notes: string[]
}

/** One drill's stall beside the floor: informational, never part of the verdict. */
export interface DrillFloor {
  rule: FloorRule
  /** 0, or the detection bound (rule.detection). */
  detectionShareMs: number
  /** Bare release + acquire for a handover, acquire alone where the active node is gone. */
  floorMs: number
  /** stall / (detectionShareMs + floorMs); null when the drill measured no stall. */
  ratio: number | null
  /** detectionShareMs + 1.5 x floorMs + 1 s. */
  targetMs: number
  /** stall <= targetMs; null when the drill measured no stall. */
  withinTarget: boolean | null
}

/** One timed handover of the floor: the bare release on `from`, then the bare acquire on `to`, each as the node timed it. */
export interface FloorHandover {
  from: string
  to: string
  releaseMs: number
  acquireMs: number
}

/** `failover-test --floor`: the bare commands timed on the same nodes, with the HA manager stopped. */
export interface FloorMeasurement {
  status: 'measured' | 'refused' | 'failed'
  handovers: FloorHandover[]
  /** Medians over the handovers; null when none completed. */
  releaseMs: number | null
  acquireMs: number | null
  /** What was done, in order (HA manager stopped, untimed moves, restore). */
  actions: string[]
  /** Restoring the HA manager, and the health check after it (absent when nothing was changed). */
  restore?: HealOutcome
  /** Why the status is not `measured`; empty when it is. */
  failures: string[]
}

export interface DrillReport {
  version: 1
  cluster: string
  stack: string
  environment: 'lab' | 'hosts'
  startedAt: string
  finishedAt: string
  passed: boolean
  drills: DrillResult[]
  /** The floor, when `--floor` asked for it (informational: it never changes `passed`). */
  floor?: FloorMeasurement
}
