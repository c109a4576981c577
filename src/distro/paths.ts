/**
 * Configuration files whose place differs by family. Debian keeps a daemon's start-up options in
 * /etc/default, the RHEL family in /etc/sysconfig. nfs-utils 2.x (Debian 11+, Ubuntu 22.04+,
 * EL 8+) reads /etc/nfs.conf; EL 7's nfs-utils 1.3 takes NFSv4 lease and grace times from
 * /etc/sysconfig/nfs (NFSD_V4_LEASE, NFSD_V4_GRACE) instead.
 */
import type {PackageFamily} from './family.js'

export type ConfigFile = 'keepalived-options' | 'nfs-server-config'

const PATHS: Record<ConfigFile, Record<PackageFamily, string>> = {
  'keepalived-options': {apt: '/etc/default/keepalived', dnf: '/etc/sysconfig/keepalived', yum: '/etc/sysconfig/keepalived'},
  'nfs-server-config': {apt: '/etc/nfs.conf', dnf: '/etc/nfs.conf', yum: '/etc/sysconfig/nfs'},
}

export function configPath(file: ConfigFile, family: PackageFamily): string {
  return PATHS[file][family]
}
