/**
 * filesystem.mount: the mount point exists on both nodes (either may become Primary) and the DRBD
 * device is mounted there on the Primary. Not in /etc/fstab: the HA stack mounts and unmounts it
 * on failover; an fstab entry would try to mount it on the Secondary at boot.
 *
 * Under a manager that owns the mount (heartbeat's Filesystem resource), the mount is hapair's only
 * at setup: once the manager runs, this step leaves it alone (standDownNote), and an fstab line
 * for the device or the mount point is commented out (a copy of the old file is kept), because at
 * boot it would mount beside the manager, or fail on the Secondary and stop the boot.
 */
import type {Change, Step} from '../../engine/step.js'
import {drbdStateFact} from '../../facts/drbd.js'
import {factSet, shq} from '../../facts/fact.js'
import {mountFact, type MountInfo} from '../../facts/mounts.js'
import type {ServiceStates} from '../../facts/services.js'
import {stackOf} from '../../stacks/registry.js'
import {kernelProblems, managerUnitFacts, refuseIf, standDownNote} from '../drbd/common.js'
import type {DrbdState} from '../drbd/poll.js'
import {requireFilesystem} from '../storage/require.js'

type Facts = {drbd: DrbdState; mount: MountInfo; ha?: ServiceStates}

/** Where disableFstabScript keeps the fstab it replaced. */
export const FSTAB_BACKUP = '/etc/fstab.hapair-bak'

/** Comments out the fstab lines that name the device or the mount point; temp file + rename, the old file kept. */
export function disableFstabScript(device: string, mountPoint: string): string {
  const awk = `$0 !~ /^[[:space:]]*#/ && ($1 == dev || $2 == mp) { print "# disabled by hapair (the HA manager mounts it on the active node): " $0; next } { print }`
  return `cp -p /etc/fstab ${FSTAB_BACKUP}
tmp=$(mktemp /etc/.fstab.hapair.XXXXXX)
trap 'rm -f "$tmp"' EXIT
awk -v dev=${shq(device)} -v mp=${shq(mountPoint)} ${shq(awk)} /etc/fstab >"$tmp"
chmod --reference=/etc/fstab "$tmp"
mv -f "$tmp" /etc/fstab
trap - EXIT
`
}

export const filesystemMount: Step<Facts> = {
  id: 'filesystem.mount',
  title: 'Mount the DRBD filesystem on the Primary',
  facts: (ctx) =>
    factSet({
      drbd: drbdStateFact(ctx.config.drbd.resource, ctx.config.drbd.device),
      mount: mountFact(requireFilesystem(ctx.config).mountPoint, ctx.config.drbd.device),
      ...managerUnitFacts(ctx),
    }),
  plan(ctx, facts) {
    const fs = requireFilesystem(ctx.config)
    const {device, resource} = ctx.config.drbd
    const mp = fs.mountPoint
    refuseIf('filesystem.mount', ctx.nodes.flatMap((n) => kernelProblems(n.name, facts[n.name].drbd)))
    const ownsMount = stackOf(ctx.config).manager.ownsDrbdRole
    const standDown = standDownNote(ctx, facts, `mounting ${mp}`)
    const primary = ctx.nodes.find((n) => facts[n.name].drbd.state?.role === 'Primary')
    if (!primary && !standDown) refuseIf('filesystem.mount', [`no node is Primary for ${resource} (run drbd.primary first)`])
    const changes: Change[] = []
    const notes: string[] = standDown ? [standDown] : []
    const problems: string[] = []
    for (const node of ctx.nodes) {
      const {mount} = facts[node.name]
      if (!mount.dirExists) changes.push({kind: 'command', node: node.name, title: `create ${mp}`, script: `mkdir -p ${shq(mp)}\n`})
      if (mount.fstabLines.length > 0 && ownsMount) {
        changes.push({kind: 'command', node: node.name, title: `comment out the /etc/fstab line${mount.fstabLines.length > 1 ? 's' : ''} for ${device} (the HA manager mounts it; old file kept as ${FSTAB_BACKUP})`, script: disableFstabScript(device, mp)})
      } else if (mount.fstabLines.length > 0) {
        notes.push(`${node.name}: /etc/fstab mentions ${mp} or ${device} (${mount.fstabLines.join(' | ')}); the HA stack owns this mount, consider removing that line`)
      }
      if (standDown || node.name !== primary!.name) continue
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
