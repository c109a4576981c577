/**
 * NFSv4 lease and grace times for the NFS server, as nfs-utils' rpc.nfsd reads them from
 * `[nfsd] lease-time= / grace-time=` when it starts the server.
 *
 * Why short: after a failover the new server starts a grace period in which clients reclaim
 * their opens and locks and nobody may take new ones; with the 90 s default every client stalls
 * 90 s. A failover hands clients a server that restarted, so the grace period only needs to
 * cover the clients' reclaim, which the lease time bounds. (rpc.nfsd also applies grace-time to
 * NLM, the NFSv3 lock manager.)
 *
 * Where: a drop-in, /etc/nfs.conf.d/hapair.conf, when nfs-utils reads drop-ins (the directory
 * exists: nfs-utils 2.5+, Debian 12, EL9); otherwise a marked block at the end of /etc/nfs.conf.
 */
import type {ClusterConfig} from '../config/schema.js'

export const NFS_CONF_PATH = '/etc/nfs.conf'
export const NFS_CONF_DROPIN_PATH = '/etc/nfs.conf.d/hapair.conf'
export const NFS_CONF_MODE = 0o644

/** The Linux kernel refuses NFSv4 lease and grace times under 10 s (nfsd's /proc/fs/nfsd/nfsv4leasetime). */
export const KERNEL_MIN_NFS4_TIME = 10

const BEGIN = '# BEGIN hapair: NFSv4 lease/grace for failover (managed block; edit the cluster file instead)'
const END = '# END hapair'

export function nfsTimes(config: ClusterConfig): {leaseTime: number; graceTime: number} {
  if (!config.nfs) throw new Error('nfsTimes: the cluster file has no nfs section')
  return {leaseTime: config.nfs.leaseTime, graceTime: config.nfs.graceTime}
}

function nfsdSection(config: ClusterConfig): string[] {
  const {leaseTime, graceTime} = nfsTimes(config)
  return ['[nfsd]', `lease-time=${leaseTime}`, `grace-time=${graceTime}`]
}

export function renderNfsConfDropIn(config: ClusterConfig): string {
  return [
    `# managed by hapair (cluster ${config.name}): short NFSv4 lease/grace so clients resume`,
    '# quickly after a failover instead of waiting out the 90 s default.',
    ...nfsdSection(config),
    '',
  ].join('\n')
}

/**
 * /etc/nfs.conf with hapair's block replaced (or appended when absent); everything outside the
 * markers is kept byte for byte. nfs.conf merges repeated sections, and the stock file has
 * lease-time and grace-time commented out, so a second [nfsd] section at the end takes effect;
 * the effective values are verified with `nfsconf --get` afterwards.
 */
export function withNfsConfBlock(existing: string | null, config: ClusterConfig): string {
  const block = [BEGIN, ...nfsdSection(config), END].join('\n')
  const text = existing ?? ''
  const start = text.indexOf(BEGIN)
  const end = start >= 0 ? text.indexOf(END, start) : -1
  if (start >= 0 && end >= 0) {
    return text.slice(0, start) + block + text.slice(end + END.length)
  }
  const sep = text === '' || text.endsWith('\n') ? '' : '\n'
  return `${text}${sep}${text === '' ? '' : '\n'}${block}\n`
}
