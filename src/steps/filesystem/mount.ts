/**
 * filesystem.mount: the mount point exists on both nodes (either may become Primary) and the DRBD
 * device is mounted there on the Primary. Not in /etc/fstab: the HA stack mounts and unmounts it
 * on failover; an fstab entry would try to mount it on the Secondary at boot.
 */
import type {Change, Step} from '../../engine/step.js'
import {drbdStateFact} from '../../facts/drbd.js'
import {factSet, shq} from '../../facts/fact.js'
import {mountFact, type MountInfo} from '../../facts/mounts.js'
import {kernelProblems, refuseIf} from '../drbd/common.js'
import type {DrbdState} from '../drbd/poll.js'
import {requireFilesystem} from '../storage/require.js'

type Facts = {drbd: DrbdState; mount: MountInfo}

export const filesystemMount: Step<Facts> = {
  id: 'filesystem.mount',
  title: 'Mount the DRBD filesystem on the Primary',
  facts: (ctx) =>
    factSet({
      drbd: drbdStateFact(ctx.config.drbd.resource, ctx.config.drbd.device),
      mount: mountFact(requireFilesystem(ctx.config).mountPoint, ctx.config.drbd.device),
    }),
  plan(ctx, facts) {
    const fs = requireFilesystem(ctx.config)
    const {device, resource} = ctx.config.drbd
    const mp = fs.mountPoint
    refuseIf('filesystem.mount', ctx.nodes.flatMap((n) => kernelProblems(n.name, facts[n.name].drbd)))
    const primary = ctx.nodes.find((n) => facts[n.name].drbd.state?.role === 'Primary')
    if (!primary) refuseIf('filesystem.mount', [`no node is Primary for ${resource} (run drbd.primary first)`])
    const changes: Change[] = []
    const notes: string[] = []
    const problems: string[] = []
    for (const node of ctx.nodes) {
      const {mount} = facts[node.name]
      if (!mount.dirExists) changes.push({kind: 'command', node: node.name, title: `create ${mp}`, script: `mkdir -p ${shq(mp)}\n`})
      if (mount.fstabLines.length > 0) notes.push(`${node.name}: /etc/fstab mentions ${mp} or ${device} (${mount.fstabLines.join(' | ')}); the HA stack owns this mount, consider removing that line`)
      if (node.name !== primary!.name) continue
      const visible = mount.atTarget.at(-1)
      const ours = mount.ofDevice.find((m) => m.target === mp)
      if (ours && visible === ours) {
        notes.push(`${node.name}: ${device} is mounted on ${mp} (${ours.fstype})`)
        continue
      }
      if (visible) {
        problems.push(`${node.name}: ${visible.source} is mounted on ${mp}; unmount it or choose another filesystem.mountPoint`)
        continue
      }
      const elsewhere = mount.ofDevice.filter((m) => m.target !== mp)
      if (elsewhere.length > 0) {
        problems.push(`${node.name}: ${device} is mounted on ${elsewhere.map((m) => m.target).join(', ')}, not ${mp}; unmount it first`)
        continue
      }
      changes.push({kind: 'command', node: node.name, title: `mount ${device} on ${mp}`, script: `mount -t ${fs.type} ${shq(device)} ${shq(mp)}\n`})
    }
    refuseIf('filesystem.mount', problems)
    return {changes, notes}
  },
}
