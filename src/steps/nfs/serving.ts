/**
 * NFS serving, as the HA manager's service step checks it: the VIP holder has the DRBD device
 * mounted, /var/lib/nfs bound to the copy on the DRBD filesystem and the NFS server running;
 * every other node runs no NFS server (docs/nfs-failover.md says why the state moves).
 */
import {NFS_LIB, nfsStateFact, type NfsStateInfo} from '../../facts/nfs.js'
import {shq} from '../../facts/fact.js'
import {allFamilyUnits, serviceUnit} from '../../distro/services.js'
import type {ServingCheck} from '../serving/types.js'
import {requireNfs} from './sections.js'

export const nfsServing: ServingCheck<NfsStateInfo> = {
  what: 'NFS',
  units: allFamilyUnits(['nfs-server']),
  fact: (ctx) => nfsStateFact(requireNfs(ctx).filesystem.mountPoint),
  // The bound state matters: check-nfs may restart a stopped NFS server on the new VIP holder
  // before the notify script's master call gets the lock (seen in the lab), and that call then
  // stops it again to bind the state, so "NFS running" alone can be a moment, not the end.
  servingCondition: (_ctx, family) => `systemctl is-active --quiet ${shq(serviceUnit('nfs-server', family))} && mountpoint -q ${NFS_LIB}`,
  runningCondition: (_ctx, family) => `systemctl is-active --quiet ${shq(serviceUnit('nfs-server', family))}`,
  verify(ctx, node, f, soleHolder, holdsVip) {
    const problems: string[] = []
    const nfsUp = f.family !== 'unknown' && f.active(serviceUnit('nfs-server', f.family))
    const device = ctx.config.drbd.device
    if (soleHolder) {
      if (f.own.mountedSource !== device) problems.push(`${node.name} holds the VIP but ${device} is not mounted on ${requireNfs(ctx).filesystem.mountPoint}`)
      if (!f.own.stateBound) problems.push(`${node.name} holds the VIP but ${NFS_LIB} is not the copy on the DRBD filesystem`)
      if (!nfsUp) problems.push(`${node.name} holds the VIP but the NFS server is not running`)
    }
    if (!holdsVip && nfsUp) problems.push(`${node.name} does not hold the VIP but runs the NFS server`)
    return problems
  },
}
