/**
 * drbd.primary: the initial Primary. The one dangerous DRBD command, `primary --force`, declares a
 * node's data the truth and overwrites the peer with it, so it runs only when neither side has ever
 * held data: both Inconsistent, both with fresh metadata (current UUID JUST_CREATED, no bitmap or
 * history UUIDs). Then it runs on the preferred node (the highest priority, as for the HA manager), only there.
 *
 * When either side holds UpToDate data nothing is forced: the preferred node becomes Primary the
 * normal way if its data is UpToDate; if only the peer's is, hapair stops and explains (the data
 * the user cares about may be on the peer; choosing is theirs). A Primary anywhere: nothing to do.
 *
 * Under a manager that owns the DRBD role (heartbeat's drbddisk), hapair makes only the first
 * Primary of a new device; once the manager runs on a node, every later promotion is its own
 * (standDownNote): this step would otherwise race a takeover in progress.
 */
import type {Step} from '../../engine/step.js'
import {preferredNode} from '../../stacks/preferred-node.js'
import {factSet, shq} from '../../facts/fact.js'
import {drbdFact, type DrbdFacts} from '../../facts/drbd.js'
import type {ServiceStates} from '../../facts/services.js'
import {managerUnitFacts, refuseIf, requireResourceUp, standDownNote} from './common.js'

type Facts = {drbd: DrbdFacts; ha?: ServiceStates}

export const drbdPrimary: Step<Facts> = {
  id: 'drbd.primary',
  title: 'Initial DRBD primary',
  pairwise: '`primary --force` is decided from both nodes\' disk states (it may run only when both sides are fresh)',
  facts: (ctx) => factSet({drbd: drbdFact(ctx.config.drbd.resource, ctx.config.drbd.device), ...managerUnitFacts(ctx)}),
  plan(ctx, facts) {
    const res = ctx.config.drbd.resource
    const lines = requireResourceUp('drbd.primary', ctx, facts)
    const primaries = ctx.nodes.filter((n) => facts[n.name].drbd.state!.role === 'Primary')
    if (primaries.length > 0) return {changes: [], notes: [`${primaries.map((n) => n.name).join(' and ')} already Primary (${lines})`]}

    const first = preferredNode(ctx.config)
    const peer = ctx.nodes.find((n) => n.name !== first.name)!
    const a = facts[first.name].drbd
    const b = facts[peer.name].drbd
    const bothInconsistent = a.state!.disk === 'Inconsistent' && b.state!.disk === 'Inconsistent'
    const fresh = (d: DrbdFacts) => d.gi.kind === 'present' && d.gi.fresh
    // The first Primary of a new device is hapair's whoever manages DRBD; any later one is the manager's.
    const standDown = bothInconsistent && fresh(a) && fresh(b) ? undefined : standDownNote(ctx, facts, `making a node Primary (${lines})`)
    if (standDown) return {changes: [], notes: [standDown]}
    if (!a.state!.connected || !b.state!.connected) {
      refuseIf('drbd.primary', [`the nodes are not connected (${lines}); the initial Primary needs both sides in view (run drbd.connect)`])
    }
    if (a.state!.disk === 'UpToDate') {
      return {
        changes: [{kind: 'command', node: first.name, title: `make ${first.name} Primary for ${res}`, script: `drbdadm primary ${shq(res)} </dev/null\n`}],
        notes: [`${first.name} holds UpToDate data: Primary without --force (${lines})`],
      }
    }
    if (b.state!.disk === 'UpToDate') {
      refuseIf(
        'drbd.primary',
        [
          `only ${peer.name} holds UpToDate data (${lines}). hapair will not force ${first.name} over it. ` +
            `If ${peer.name}'s data is the one to keep, make it Primary there (\`drbdadm primary ${res}\` on ${peer.name}) and ${first.name} syncs from it; ` +
            `if ${first.name}'s should win, that is a deliberate overwrite of ${peer.name}: do it by hand.`,
        ],
      )
    }
    if (bothInconsistent && fresh(a) && fresh(b)) {
      return {
        changes: [
          {
            kind: 'command',
            node: first.name,
            title: `make ${first.name} the initial Primary of ${res} (primary --force; starts the initial sync to ${peer.name})`,
            script: `drbdadm primary --force ${shq(res)} </dev/null\n`,
          },
        ],
        notes: [`both sides hold fresh metadata that never held data (current UUID 0000000000000004): forcing ${first.name} is safe`],
      }
    }
    const gi = (n: string, d: DrbdFacts) => `${n} ${d.gi.kind === 'present' ? `current UUID ${d.gi.current}${d.gi.fresh ? ' (fresh)' : ''}` : `metadata unreadable (${d.gi.kind})`}`
    refuseIf('drbd.primary', [
      bothInconsistent
        ? `both sides are Inconsistent but not both fresh (${gi(first.name, a)}; ${gi(peer.name, b)}): an interrupted sync or lost data, not a new device. hapair will not force a Primary; decide which side's data is right, then \`drbdadm primary --force ${res}\` there by hand.`
        : `no side holds UpToDate data and the states are not those of a new device (${lines}); hapair will not force a Primary.`,
    ])
    throw new Error('unreachable')
  },
}
