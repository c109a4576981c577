/** The cluster-file sections the NFS steps need, with a usage error naming what is missing. */
import type {ClusterConfig} from '../../config/schema.js'
import {RefusalError, UsageError} from '../../errors.js'
import {KERNEL_MIN_NFS4_TIME} from '../../templates/nfs-conf.js'
import type {StepContext} from '../../engine/step.js'

export type NfsSection = NonNullable<ClusterConfig['nfs']>
export type FilesystemSection = NonNullable<ClusterConfig['filesystem']>

export function requireNfs(ctx: StepContext): {nfs: NfsSection; filesystem: FilesystemSection} {
  const {nfs, filesystem} = ctx.config
  if (!nfs) throw new UsageError('the cluster file has no `nfs` section', 'add nfs.exports (path + clients) to hapair.yaml')
  if (!filesystem) throw new UsageError('the cluster file has no `filesystem` section', 'add filesystem.mountPoint (where the DRBD filesystem is mounted)')
  return {nfs, filesystem}
}

/**
 * Cluster-file values the NFS server cannot honour: refused before anything changes.
 * An export outside the DRBD filesystem would, after a failover, serve a different directory on
 * the other node's root disk; the kernel rejects NFSv4 lease/grace times under 10 s.
 */
export function refuseUnservableNfs(ctx: StepContext): void {
  const {nfs, filesystem} = requireNfs(ctx)
  const mp = filesystem.mountPoint.replace(/\/+$/, '')
  for (const [i, exp] of nfs.exports.entries()) {
    const p = exp.path.replace(/\/+$/, '')
    if (p !== mp && !p.startsWith(`${mp}/`)) {
      throw new RefusalError(
        `nfs.exports[${i}].path ${exp.path} is not on the DRBD filesystem (${filesystem.mountPoint}): after a failover clients would see another disk`,
        `export ${filesystem.mountPoint} or a directory under it`,
      )
    }
  }
  for (const key of ['leaseTime', 'graceTime'] as const) {
    if (nfs[key] < KERNEL_MIN_NFS4_TIME) {
      throw new RefusalError(
        `nfs.${key} is ${nfs[key]} s: the Linux NFS server refuses NFSv4 lease/grace times under ${KERNEL_MIN_NFS4_TIME} s`,
        `set nfs.${key} to ${KERNEL_MIN_NFS4_TIME} or more in hapair.yaml`,
      )
    }
  }
}
