/**
 * What a drill measures, computed by pure functions from what it sampled: node probes (4 times a
 * second per node), the client's service probe and every client write. Times are milliseconds on
 * one monotonic clock; results are relative to the moment the fault was injected (t0).
 */
import {describeNodeState, isPrimary, type NodeState} from '../cluster-state/node-state.js'
import {servesAll, type ServingTest} from './serving.js'
import type {EndsOn, Milestone, Timeline} from './types.js'

export interface ProbeSample {
  node: string
  sentMs: number
  receivedMs: number
  /** Missing: the node did not answer (timeout, lost connection). */
  state?: NodeState
  error?: string
}

/** The client's probe of the service itself (an NFS listing through the VIP). */
export interface ServiceSample {
  sentMs: number
  receivedMs: number
  ok: boolean
}

export interface WriteAttempt {
  seq: number
  startMs: number
  endMs: number
  /** The server acknowledged the write. */
  ok: boolean
  error?: string
}

/** A probe's answer describes some moment between sending and receiving: take the middle. */
export const sampleTime = (s: {sentMs: number; receivedMs: number}): number => (s.sentMs + s.receivedMs) / 2

/**
 * When a condition became true for good after t0: the first true sample after the last false one
 * (the last answer before t0 counts as the starting state). True all along: it held throughout
 * (`changed` false). False at the end: not reached (null).
 */
export function settledAt(points: Array<{t: number; value: boolean}>, t0: number): Milestone {
  const sorted = [...points].sort((a, b) => a.t - b.t)
  const after = sorted.filter((p) => p.t >= t0)
  const before = sorted.filter((p) => p.t < t0).at(-1)
  if (after.length === 0 || !after[after.length - 1].value) return {atMs: null, changed: false}
  let lastFalse = -1
  after.forEach((p, i) => {
    if (!p.value) lastFalse = i
  })
  // True at every answer since the fault: it held throughout, unless it was false just before.
  if (lastFalse < 0) return before && !before.value ? {atMs: Math.round(after[0].t - t0), changed: true} : {atMs: 0, changed: false}
  return {atMs: Math.round(after[lastFalse + 1].t - t0), changed: true}
}

const points = (samples: ProbeSample[], node: string, pred: (s: NodeState) => boolean) =>
  samples.filter((s) => s.node === node).map((s) => ({t: sampleTime(s), value: s.state ? pred(s.state) : false}))

/**
 * The last answer each node gave, unless a probe sent after that answer arrived went unanswered:
 * a node that lost power or its network no longer says anything, and its last answer (often
 * "serving", from just before a crash) must not stand for its state now. Such a node has no entry,
 * as one that never answered. A slow but live node drops out only until its next answer.
 */
export function latestStates(samples: ProbeSample[]): Map<string, NodeState> {
  const latest = new Map<string, {t: number; receivedMs: number; state: NodeState}>()
  for (const s of samples) {
    if (!s.state) continue
    const t = sampleTime(s)
    const prev = latest.get(s.node)
    if (!prev || prev.t <= t) latest.set(s.node, {t, receivedMs: s.receivedMs, state: s.state})
  }
  for (const s of samples) {
    const answered = latest.get(s.node)
    if (!s.state && answered && s.sentMs >= answered.receivedMs) latest.delete(s.node)
  }
  return new Map([...latest].map(([node, v]) => [node, v.state]))
}

/** The node serving at the end (VIP, Primary, mounted, nfsd; what `shape` asks), when exactly one does. */
export function servingNode(samples: ProbeSample[], shape?: ServingTest): string | null {
  const serving = [...latestStates(samples)].filter(([, s]) => servesAll(s, shape)).map(([n]) => n)
  return serving.length === 1 ? serving[0] : null
}

/** Each node's last answer in words, for a verdict that says why no single node was serving. */
export function describeLatest(samples: ProbeSample[], nodes: string[]): string {
  const latest = latestStates(samples)
  return nodes.map((n) => `${n}: ${describeNodeState(latest.get(n))}`).join('; ')
}

/**
 * Notes on probes that got no answer, per node: how many, the first distinct errors, and how old
 * the node's last answer was at `end`. A node that stops answering leaves its last answer as its
 * state, so a verdict built on a stale answer must be visible in the report.
 */
export function unansweredProbes(samples: ProbeSample[], nodes: string[], end: number): string[] {
  return nodes.flatMap((node) => {
    const own = samples.filter((s) => s.node === node)
    const failed = own.filter((s) => !s.state)
    if (!failed.length) return []
    const errors = [...new Set(failed.map((s) => s.error ?? 'no answer'))].slice(0, 2).join('; ')
    const lastAnswer = own.filter((s) => s.state).map((s) => s.receivedMs).sort((a, b) => a - b).at(-1)
    const age = lastAnswer === undefined ? 'never answered' : `last answer ${((end - lastAnswer) / 1000).toFixed(1)} s before the end`
    return [`${node}: ${failed.length} of ${own.length} probes unanswered (${errors}); ${age}`]
  })
}

/**
 * How long both nodes provably satisfied `pred` at the same time, after t0. The two nodes are
 * polled at slightly different moments, so a node is only known to hold `pred` between two of
 * its own consecutive answers that both say so; between a yes and a no answer it is unknown.
 * (Treating each answer as true until the next one would report a dual primary at every clean
 * switchover: node2 answers Primary just before it demotes, node1 just after it promotes.)
 */
export function overlapMs(samples: ProbeSample[], nodes: [string, string], pred: (s: NodeState) => boolean, t0: number, end: number): number {
  const proven = (node: string): [number, number][] => {
    const answers = samples
      .filter((s) => s.node === node)
      .map((s) => ({t: sampleTime(s), value: s.state ? pred(s.state) : false}))
      .sort((a, b) => a.t - b.t)
    const spans: [number, number][] = []
    for (let i = 1; i < answers.length; i++) {
      if (answers[i - 1].value && answers[i].value) spans.push([Math.max(answers[i - 1].t, t0), Math.min(answers[i].t, end)])
    }
    return spans.filter(([a, b]) => b > a)
  }
  const a = proven(nodes[0])
  const b = proven(nodes[1])
  let total = 0
  for (const [a0, a1] of a) for (const [b0, b1] of b) total += Math.max(0, Math.min(a1, b1) - Math.max(a0, b0))
  return Math.round(total)
}

/**
 * The client-visible stall: the longest gap between consecutive acknowledged writes among the
 * gaps that end after t0 (including the one spanning t0). A gap still open at `end` counts to `end`
 * and means the client never resumed.
 */
export function clientStall(writes: WriteAttempt[], t0: number, end: number): {stallMs: number | null; resumedMs: number | null} {
  const acks = writes.filter((w) => w.ok).map((w) => w.endMs).sort((a, b) => a - b)
  const before = acks.filter((t) => t <= t0)
  let prev = before.length ? before[before.length - 1] : undefined
  let best: {gap: number; resumed: number} | undefined
  for (const t of acks.filter((t) => t > t0)) {
    if (prev !== undefined && (!best || t - prev > best.gap)) best = {gap: t - prev, resumed: t - t0}
    prev = t
  }
  const last = [...writes].sort((a, b) => a.endMs - b.endMs).at(-1)
  const lastAck = acks.at(-1)
  if (!last || last.endMs <= t0 || !last.ok) {
    // Failing (or silent) when the drill stopped watching: the client never resumed.
    const open = end - (lastAck ?? t0)
    return {stallMs: Math.round(Math.max(open, best?.gap ?? 0)), resumedMs: null}
  }
  if (!best) return {stallMs: null, resumedMs: null}
  return {stallMs: Math.round(best.gap), resumedMs: Math.round(best.resumed)}
}

export interface TimelineInput {
  samples: ProbeSample[]
  service: ServiceSample[]
  writes: WriteAttempt[]
  nodes: [string, string]
  t0: number
  end: number
  /** What serving means for the stack (drillShape); left out, an NFS stack's. */
  shape?: ServingTest
}

/** Every measurement of one drill, for the node that ended up serving (or, if none, the peer of the original active). */
export function computeTimeline(input: TimelineInput, fallbackNode: string): Timeline & {servedBy: string | null} {
  const {samples, service, writes, nodes, t0, end, shape} = input
  const servedBy = servingNode(samples, shape)
  const node = servedBy ?? fallbackNode
  const {stallMs, resumedMs} = clientStall(writes, t0, end)
  return {
    servedBy,
    vip: settledAt(points(samples, node, (s) => s.vipHeld), t0),
    primary: settledAt(points(samples, node, isPrimary), t0),
    mounted: settledAt(points(samples, node, (s) => s.mounted), t0),
    nfsd: settledAt(points(samples, node, (s) => (s.nfsdThreads ?? 0) > 0 && s.mounted), t0),
    serviceAnswering: settledAt(service.map((s) => ({t: sampleTime(s), value: s.ok})), t0),
    clientResumedMs: resumedMs,
    stallMs,
    dualPrimaryMs: overlapMs(samples, nodes, isPrimary, t0, end),
    dualVipMs: overlapMs(samples, nodes, (s) => s.vipHeld, t0, end),
  }
}

export interface SettleInput {
  samples: ProbeSample[]
  writes: WriteAttempt[]
  t0: number
  now: number
  active: string
  endsOn: EndsOn
  minObserveMs: number
  /** The serving node must have served continuously this long. */
  steadyMs: number
  /** Writes in a row that must have succeeded at the end. */
  okWrites: number
  /** What serving means for the stack (drillShape); left out, an NFS stack's. */
  shape?: ServingTest
}

/**
 * Has the cluster settled after the fault, so the drill can stop watching? Exactly one node
 * serves, steadily, where the expectation wants it; no other node holds the VIP; the client's
 * last writes succeeded. A cluster that settles elsewhere is left to the drill's timeout.
 */
export function isSettled(input: SettleInput): boolean {
  const {samples, writes, t0, now, active, endsOn, minObserveMs, steadyMs, okWrites, shape} = input
  if (now - t0 < minObserveMs) return false
  const serving = servingNode(samples, shape)
  if (!serving) return false
  if (endsOn === 'other' && serving === active) return false
  if (endsOn === 'same' && serving !== active) return false
  const latest = latestStates(samples)
  for (const [node, s] of latest) if (node !== serving && s.vipHeld) return false
  const since = settledAt(points(samples, serving, (s) => servesAll(s, shape)), t0)
  if (since.atMs === null || now - (t0 + since.atMs) < steadyMs) return false
  const tail = writes.filter((w) => w.endMs > t0).slice(-okWrites)
  return tail.length === okWrites && tail.every((w) => w.ok)
}
