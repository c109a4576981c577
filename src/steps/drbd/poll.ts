/** Reading a node's DRBD state while waiting (drbd.connect, drbd.sync). */
import type {StepContext} from '../../engine/step.js'
import {factSet} from '../../facts/fact.js'
import {drbdStateFact, type DrbdFacts} from '../../facts/drbd.js'
import {RemoteCommandError} from '../../errors.js'
import type {Host} from '../../transport/host.js'

export type DrbdState = Omit<DrbdFacts, 'gi'>

export async function readState(host: Host, ctx: StepContext): Promise<DrbdState> {
  const set = factSet({state: drbdStateFact(ctx.config.drbd.resource, ctx.config.drbd.device)})
  const result = await host.run(set.script, {label: `read ${ctx.config.drbd.resource} state`, timeoutMs: 30_000})
  if (result.code !== 0) throw new RemoteCommandError(host.node, result.label, result.code, result.stdout, result.stderr)
  return set.parse(result.stdout).state
}
