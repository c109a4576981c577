/** Helpers the scenario files share: running a stack action on a node, and building expectations. */
import type {ClusterConfig} from '../../config/schema.js'
import {mustRun} from '../../transport/must-run.js'
import type {StackDescriptor} from '../../stacks/types.js'
import type {EndsOn, Expectation, ScenarioContext} from '../types.js'

/** How long a stack may take to notice a dead service check beyond its peer-detection bound. */
export const SERVICE_CHECK_MARGIN_MS = 10_000
/** Extra watching after the detection bound, so "nothing moved" is a measurement, not an early stop. */
export const QUIET_MARGIN_MS = 5_000

/**
 * Runs a scenario's command on a node. It may take as long as the drill allows a takeover: stopping
 * heartbeat waits for every resource script of the release (about a minute on the lab's
 * emulated CPUs), and a fixed minute cut such a stop off mid-release.
 */
export async function onNode(ctx: Pick<ScenarioContext, 'host' | 'config'>, node: string, script: string, label: string): Promise<string> {
  const result = await mustRun(ctx.host(node), script, {label, timeoutMs: Math.max(60_000, ctx.config.drill.timeoutSeconds * 1000)})
  return result.stdout
}

const WHERE: Record<EndsOn, string> = {
  other: 'service (DRBD Primary, mount, and the VIP and nfsd where the stack has them) moves to the peer',
  same: 'service stays on (or returns to) the same node',
  either: 'service recovers on either node',
}

export function expectation(config: ClusterConfig, stack: StackDescriptor, endsOn: EndsOn, extra: Partial<Expectation> = {}): Expectation {
  const bound = stack.manager.detectionBoundMs(config)
  const maxStallMs = config.drill.timeoutSeconds * 1000
  return {
    text: `${WHERE[endsOn]}; client writes again within ${config.drill.timeoutSeconds} s; 0 acknowledged writes lost; healthy after heal`,
    endsOn,
    maxStallMs,
    detectionBoundMs: bound,
    minObserveMs: endsOn === 'other' ? 0 : bound + (endsOn === 'either' ? SERVICE_CHECK_MARGIN_MS : QUIET_MARGIN_MS),
    ...extra,
  }
}
