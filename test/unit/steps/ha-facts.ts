/** Fact values for plan() tests of the NFS and keepalived steps. */
import type {FileInfo} from '../../../src/facts/file.js'
import type {OsInfo} from '../../../src/facts/os.js'
import type {Repolist} from '../../../src/distro/repos.js'
import type {ServiceStates, UnitState} from '../../../src/facts/services.js'
import type {VipInfo} from '../../../src/facts/ip.js'

const linux = {packageManager: null, idLike: [] as string[], init: 'systemd', hostname: 'node1'}
export const DEBIAN: OsInfo = {...linux, id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', family: 'apt', packageManager: 'apt'}
export const ROCKY: OsInfo = {...linux, id: 'rocky', idLike: ['rhel', 'centos', 'fedora'], versionId: '9.4', prettyName: 'Rocky Linux 9.4 (Blue Onyx)', family: 'dnf', packageManager: 'dnf'}
export const UNKNOWN_OS: OsInfo = {...linux, id: 'alpine', versionId: '3.20.3', prettyName: 'Alpine Linux v3.20', family: 'unknown', init: 'init'}

/** Enabled repositories as the repolist fact reads them: none on apt, EL 9's defaults plus these on dnf. */
export const APT_REPOS: Repolist = {tool: null, enabled: []}
export const dnfRepos = (...extra: string[]): Repolist => ({tool: 'dnf', enabled: ['appstream', 'baseos', 'extras', ...extra]})

export const missing: FileInfo = {exists: false, content: null, mode: null}
export const file = (content: string, mode = 0o644): FileInfo => ({exists: true, content, mode})

export const unit = (active: string, enabled: string): UnitState => ({active, enabled})
export function services(states: Record<string, [string, string]>): ServiceStates {
  return Object.fromEntries(Object.entries(states).map(([u, [a, e]]) => [u, unit(a, e)]))
}

export function vip(holds: boolean, address = '192.168.77.100'): VipInfo {
  const own = {address: '192.168.77.11', prefix: 24, secondary: false}
  return {exists: true, up: true, addresses: holds ? [own, {address, prefix: 24, secondary: true}] : [own], holdsVip: holds}
}
