/**
 * The verdict of one drill: pure, from the expectation and what was measured. Every reason it
 * fails is a sentence a person can act on; no reason means passed.
 */
import {formatSeqs} from './records.js'
import type {Expectation, HealOutcome, SplitBrainFinding, Timeline, WriteSummary} from './types.js'

export interface VerdictInput {
  expectation: Expectation
  activeBefore: string
  endedOn: string | null
  /** Each node's last polled state in words (see describeLatest). */
  endStates?: string
  timeline: Timeline
  writes: WriteSummary
  splitBrain: SplitBrainFinding
  heal: HealOutcome
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

export function judge(input: VerdictInput): string[] {
  const {expectation, activeBefore, endedOn, endStates, timeline, writes, splitBrain, heal} = input
  const failures: string[] = []

  if (writes.lost.length) failures.push(`${writes.lost.length} acknowledged write(s) lost: record(s) ${formatSeqs(writes.lost)}`)
  if (writes.corrupted.length) failures.push(`${writes.corrupted.length} acknowledged write(s) corrupted: record(s) ${formatSeqs(writes.corrupted)}`)
  if (!writes.verified) failures.push('acknowledged writes could not be read back afterwards, so none can be vouched for')
  if (writes.acknowledged === 0) failures.push('the client never got a write acknowledged')

  if (splitBrain.state !== 'none') failures.push(`split brain: ${splitBrain.explanation}`)
  else if (timeline.dualPrimaryMs > 0) failures.push(`both nodes were DRBD Primary at once for ${seconds(timeline.dualPrimaryMs)}`)

  if (timeline.clientResumedMs === null) failures.push(`the client was not writing again when the drill stopped watching (${seconds(expectation.maxStallMs)} limit)`)
  else if (timeline.stallMs !== null && timeline.stallMs > expectation.maxStallMs) failures.push(`the client stalled ${seconds(timeline.stallMs)}, more than ${seconds(expectation.maxStallMs)}`)

  if (!endedOn) failures.push(`no single node was serving (DRBD Primary and mounted, with the VIP and nfsd where the stack has them) at the end${endStates ? ` (${endStates})` : ''}`)
  else if (expectation.endsOn === 'other' && endedOn === activeBefore) failures.push(`service stayed on ${activeBefore}; expected it to move to the peer`)
  else if (expectation.endsOn === 'same' && endedOn !== activeBefore) failures.push(`service moved to ${endedOn}; expected it to stay on ${activeBefore}`)

  if (!heal.healthy) failures.push(`not healthy after heal: ${heal.leftovers.map((l) => `${l.node ? `${l.node}: ` : ''}${l.problem}`).join('; ')}`)
  return failures
}
