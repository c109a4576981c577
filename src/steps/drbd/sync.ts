/**
 * drbd.sync: waits for the initial sync, reporting percent, rate and time left (8.4 /proc/drbd
 * `sync'ed:`/`speed:`/`finish:`, 9 `drbdsetup status --json`). Interrupting the wait leaves DRBD
 * syncing in the kernel; a re-run plans the wait again and picks up where the sync is.
 * `--no-wait` skips it: the Primary is usable (mkfs, mount) while the Secondary catches up.
 */
import type {Change, Step} from '../../engine/step.js'
import {ExitCode, HapairError, InterruptedError} from '../../errors.js'
import {factSet} from '../../facts/fact.js'
import {drbdStateFact, type DrbdResourceState} from '../../facts/drbd.js'
import type {Host} from '../../transport/host.js'
import {systemClock} from '../../engine/clock.js'
import {describeSync, formatDuration, refuseIf, requireResourceUp} from './common.js'
import {readState, type DrbdState} from './poll.js'

type Facts = {drbd: DrbdState}

const inSync = (s: DrbdResourceState | null) => s?.disk === 'UpToDate' && s.peerDisk === 'UpToDate'

export function progressLine(s: DrbdResourceState): string {
  if (s.sync) return describeSync(s.sync)
  return `${s.connected ? s.replication : s.connection}: ${s.disk}/${s.peerDisk}`
}

export const drbdSync: Step<Facts> = {
  id: 'drbd.sync',
  title: 'Initial DRBD sync',
  pairwise: 'the initial sync runs between both nodes',
  facts: (ctx) => factSet({drbd: drbdStateFact(ctx.config.drbd.resource, ctx.config.drbd.device)}),
  plan(ctx, facts) {
    const res = ctx.config.drbd.resource
    const lines = requireResourceUp('drbd.sync', ctx, facts)
    if (ctx.nodes.every((n) => inSync(facts[n.name].drbd.state))) return {changes: [], notes: [`in sync: ${lines}`]}
    // The sync source is the side with UpToDate data; without one nothing can sync.
    const source = ctx.nodes.find((n) => facts[n.name].drbd.state!.disk === 'UpToDate')
    if (!source) refuseIf('drbd.sync', [`no side holds UpToDate data, so nothing can sync (${lines}); run drbd.primary first`])
    const syncing = facts[source!.name].drbd.state!
    if (ctx.options.noWait) {
      const at = syncing.sync ? ` (${describeSync(syncing.sync)})` : ''
      return {changes: [], notes: [`not waiting for the sync${at}; mkfs and mount are safe on the Primary while it runs`]}
    }
    if (!syncing.connected) refuseIf('drbd.sync', [`the nodes are not connected (${lines}); the sync cannot progress (run drbd.connect)`])
    const pollMs = Number(ctx.params.pollMs ?? 2000)
    /** How long a lost connection is tolerated during the sync before giving up. */
    const disconnectedLimitMs = Number(ctx.params.disconnectedSeconds ?? 60) * 1000
    const wait: Change = {
      kind: 'wait',
      node: source!.name,
      title: `wait for the initial sync of ${res} (${source!.name} to the peer)`,
      async run(host: Host, progress, signal) {
        const clock = ctx.clock ?? systemClock
        let disconnectedSince: number | null = null
        for (;;) {
          if (signal.aborted) throw new InterruptedError()
          const {state} = await readState(host, ctx)
          if (!state) throw new HapairError(`${res} went down on ${source!.name} during the sync; re-run drbd-init to bring it up and resume`, ExitCode.stepFailed)
          if (inSync(state)) {
            progress(`100% synced: ${state.disk}/${state.peerDisk}`)
            return
          }
          if (!state.connected) {
            disconnectedSince ??= clock.now()
            if (clock.now() - disconnectedSince > disconnectedLimitMs) {
              throw new HapairError(
                `${source!.name} lost the connection to its peer during the sync (${state.connection} for ${formatDuration((clock.now() - disconnectedSince) / 1000)}); DRBD resumes by itself once they reconnect. Re-run drbd-init to keep waiting.`,
                ExitCode.stepFailed,
              )
            }
          } else disconnectedSince = null
          progress(progressLine(state))
          await clock.sleep(pollMs, signal).catch(() => {
            throw new InterruptedError()
          })
        }
      },
    }
    const at = syncing.sync ? `: ${describeSync(syncing.sync)}` : ''
    return {changes: [wait], notes: [`syncing${at} (${lines}); Ctrl-C stops waiting, not the sync`]}
  },
}
