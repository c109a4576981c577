/** The DRBD + NFS + keepalived stack (seed 000) as other code sees it. */
import type {ClusterConfig} from '../config/schema.js'
import {CHECK, keepalivedPriorities} from '../templates/keepalived.js'
import {HA_LOG_PATH} from '../templates/scripts/paths.js'
import type {StackDescriptor} from './descriptor.js'

/** Seconds the check allows `systemctl restart nfs-server` before it gives up (see check-nfs.sh). */
const NFS_RESTART_S = 30

export const keepalivedStack: StackDescriptor = {
  id: 'keepalived',
  title: 'DRBD + NFS + keepalived (VRRP)',
  haUnit: 'keepalived',
  runbook: 'nfs-keepalived',
  haInstallRunbook: 'ha-keepalived',
  /**
   * VRRP master-down interval: 3 adverts plus the skew time (256 - priority) / 256 adverts, for the
   * standby's priority (RFC 3768). A clean stop is faster: the master sends priority 0 on its way out.
   */
  detectionBoundMs(config: ClusterConfig): number {
    const advert = config.keepalived?.advertInt ?? 1
    const lowest = Math.min(...Object.values(keepalivedPriorities(config)))
    return Math.ceil((3 * advert + ((256 - lowest) / 256) * advert) * 1000)
  },
  /** fall consecutive failed checks, interval apart, the last one after one restart attempt. */
  serviceFailureBoundMs(): number {
    return (CHECK.interval * CHECK.fall + NFS_RESTART_S) * 1000
  },
  transitionLog: HA_LOG_PATH,
}
