/** Fact values for plan() tests of the NFS and keepalived steps. */
import type {FileInfo} from '../../../src/facts/file.js'
import type {OsInfo} from '../../../src/facts/os.js'
import type {ServiceStates, UnitState} from '../../../src/facts/services.js'
import type {VipInfo} from '../../../src/facts/ip.js'

export const DEBIAN: OsInfo = {id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', family: 'apt', hostname: 'node1'}
export const ROCKY: OsInfo = {id: 'rocky', versionId: '9.4', prettyName: 'Rocky Linux 9.4', family: 'dnf', hostname: 'node1'}
export const UNKNOWN_OS: OsInfo = {id: 'alpine', versionId: '3.20', prettyName: 'Alpine Linux', family: 'unknown', hostname: 'node1'}

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
