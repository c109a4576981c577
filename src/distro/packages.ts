/**
 * Logical package names to each distro family's package names. The one place that knows that
 * Debian calls the NFS server nfs-kernel-server and EL calls it nfs-utils.
 */
import type {PackageFamily} from './family.js'

export type LogicalPackage =
  | 'partitioning'
  | 'drbd'
  | 'xfs'
  | 'nfs-server'
  | 'keepalived'
  | 'heartbeat'
  | 'pacemaker'
  | 'crmsh'
  | 'pcs'
  | 'fence-ipmilan'
  | 'corosync-qdevice'
  | 'ipvsadm'
  | 'psmisc'

const TABLE: Record<LogicalPackage, Record<PackageFamily, string[]>> = {
  partitioning: {apt: ['fdisk', 'parted'], dnf: ['util-linux', 'parted'], yum: ['util-linux', 'parted']},
  // EL ships the DRBD kernel module separately (ELRepo kmod-drbd9x); the userland is drbd-utils / drbd9x-utils.
  drbd: {apt: ['drbd-utils'], dnf: ['drbd9x-utils', 'kmod-drbd9x'], yum: ['drbd90-utils', 'kmod-drbd90']},
  xfs: {apt: ['xfsprogs'], dnf: ['xfsprogs'], yum: ['xfsprogs']},
  'nfs-server': {apt: ['nfs-kernel-server'], dnf: ['nfs-utils'], yum: ['nfs-utils']},
  keepalived: {apt: ['keepalived'], dnf: ['keepalived'], yum: ['keepalived']},
  // EL 7/8/9 ship no heartbeat (EPEL dropped it after EL 6): see NOT_PACKAGED.
  heartbeat: {apt: ['heartbeat', 'resource-agents'], dnf: [], yum: []},
  // The cluster itself; its command-line shell (crmsh or pcs) is a package of its own.
  pacemaker: {apt: ['pacemaker', 'corosync', 'resource-agents'], dnf: ['pacemaker', 'corosync', 'resource-agents'], yum: ['pacemaker', 'corosync', 'resource-agents']},
  crmsh: {apt: ['crmsh'], dnf: [], yum: []},
  pcs: {apt: ['pcs'], dnf: ['pcs'], yum: ['pcs']},
  // fence_ipmilan drives ipmitool.
  'fence-ipmilan': {apt: ['fence-agents', 'ipmitool'], dnf: ['fence-agents-ipmilan', 'ipmitool'], yum: ['fence-agents-ipmilan', 'ipmitool']},
  'corosync-qdevice': {apt: ['corosync-qdevice'], dnf: ['corosync-qdevice'], yum: ['corosync-qdevice']},
  ipvsadm: {apt: ['ipvsadm'], dnf: ['ipvsadm'], yum: ['ipvsadm']},
  psmisc: {apt: ['psmisc'], dnf: ['psmisc'], yum: ['psmisc']},
}

/** Logical packages a family's distributions do not carry at all, with what to do instead. */
const NOT_PACKAGED: Partial<Record<LogicalPackage, {families: PackageFamily[]; instead: string}>> = {
  crmsh: {families: ['dnf', 'yum'], instead: 'RHEL, AlmaLinux, Rocky and CentOS ship pcs, not crmsh; write `pacemaker: { tools: pcs }` or leave `tools` out'},
  heartbeat: {
    families: ['dnf', 'yum'],
    instead: 'RHEL, AlmaLinux, Rocky and CentOS ship no heartbeat package (EL 6 was the last); use the pacemaker stack there (`stack: pacemaker`), which moves the same DRBD filesystem and NFS service, with fencing',
  },
}

/** Why each of `logical` cannot be installed on `family` (empty: all can). */
export function notPackaged(logical: LogicalPackage[], family: PackageFamily): {pkg: LogicalPackage; instead: string}[] {
  return logical.flatMap((pkg) => {
    const n = NOT_PACKAGED[pkg]
    return n && n.families.includes(family) ? [{pkg, instead: n.instead}] : []
  })
}

export function packageNames(logical: LogicalPackage[], family: PackageFamily): string[] {
  return [...new Set(logical.flatMap((l) => TABLE[l][family]))]
}

export function allFamilyNames(logical: LogicalPackage[]): Record<PackageFamily, string[]> {
  return {apt: packageNames(logical, 'apt'), dnf: packageNames(logical, 'dnf'), yum: packageNames(logical, 'yum')}
}

/** How long an apt command waits for another to let dpkg go (a killed run's apt-get finishing, unattended-upgrades). */
export const APT_LOCK_WAIT_S = 600

/**
 * Install command for a family; apt refreshes its lists only when the first try cannot find a
 * package. An install cut short (hapair killed, the link lost) leaves apt-get running on the node
 * until it ends, holding dpkg's lock, or dpkg interrupted with packages unpacked but not
 * configured: apt waits for the lock (`apt-get check` takes it), and dpkg finishes its own work
 * first, so the run after such a cut converges instead of failing on "Could not get lock" or
 * "dpkg was interrupted".
 */
export function installScript(family: PackageFamily, names: string[]): string {
  const list = names.join(' ')
  if (family === 'apt') {
    const apt = `apt-get -o DPkg::Lock::Timeout=${APT_LOCK_WAIT_S}`
    const install = `${apt} install -y -q --no-install-recommends -o Dpkg::Options::=--force-confold ${list}`
    return [
      'export DEBIAN_FRONTEND=noninteractive',
      `${apt} -q check >/dev/null 2>&1 || true`,
      'if [ -n "$(ls -A /var/lib/dpkg/updates 2>/dev/null)$(dpkg --audit 2>/dev/null)" ]; then dpkg --force-confold --configure -a; fi',
      `${install} || { ${apt} update -q && ${install}; }`,
    ].join('\n')
  }
  return `${family} install -y ${list}`
}
