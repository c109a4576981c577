/** What only the NFS + keepalived combination knows: how fast its check gives a dead NFS server up. */
import {CHECK} from '../templates/keepalived-nfs.js'

/** Seconds the check allows `systemctl restart nfs-server` before it gives up (see check-nfs.sh). */
const NFS_RESTART_S = 30

/** fall consecutive failed checks, interval apart, the last one after one restart attempt. */
export const NFS_CHECK_BOUND_MS = (CHECK.interval * CHECK.fall + NFS_RESTART_S) * 1000
