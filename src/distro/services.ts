/**
 * systemd unit names per distro family: the one place that knows what each family calls a
 * service, so steps, facts and the notify scripts never spell a unit name themselves.
 */
import type {PackageFamily} from './family.js'

export type LogicalService = 'nfs-server' | 'nfs-state-users' | 'keepalived'

/**
 * Debian's nfs-kernel-server.service is an alias (symlink) of nfs-server.service; enabling,
 * disabling or starting by the alias name works but makes systemctl warn, so the canonical name
 * is used everywhere. EL has only nfs-server.service.
 * `nfs-state-users` are the daemons that keep files open under /var/lib/nfs (v4 client records,
 * NLM monitor list, id mapping); they are stopped before /var/lib/nfs is swapped for the copy on
 * the DRBD filesystem so they reopen the right one. nfs-server starts them again (Wants=).
 */
const TABLE: Record<LogicalService, Record<PackageFamily, string[]>> = {
  'nfs-server': {apt: ['nfs-server'], dnf: ['nfs-server'], yum: ['nfs-server']},
  'nfs-state-users': {
    apt: ['nfsdcld', 'rpc-statd', 'nfs-idmapd'],
    dnf: ['nfsdcld', 'rpc-statd', 'nfs-idmapd'],
    yum: ['nfsdcld', 'rpc-statd', 'nfs-idmapd'],
  },
  keepalived: {apt: ['keepalived'], dnf: ['keepalived'], yum: ['keepalived']},
}

/** Other names a unit answers to on a family (shown by `systemctl is-enabled` as "alias"). */
const ALIASES: Partial<Record<string, Partial<Record<PackageFamily, string[]>>>> = {
  'nfs-server': {apt: ['nfs-kernel-server']},
}

export function serviceUnits(service: LogicalService, family: PackageFamily): string[] {
  return TABLE[service][family]
}

/** The single unit of a service that is one unit (nfs-server, keepalived). */
export function serviceUnit(service: Exclude<LogicalService, 'nfs-state-users'>, family: PackageFamily): string {
  return TABLE[service][family][0]
}

export function unitAliases(unit: string, family: PackageFamily): string[] {
  return ALIASES[unit]?.[family] ?? []
}

/** Every family's units of these services: what a facts script asks about before it knows the distro. */
export function allFamilyUnits(services: LogicalService[]): string[] {
  const families: PackageFamily[] = ['apt', 'dnf', 'yum']
  return [...new Set(services.flatMap((s) => families.flatMap((f) => TABLE[s][f])))]
}
