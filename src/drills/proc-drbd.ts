/**
 * The drills' small view of one DRBD device (connection state, roles, disk states), derived from
 * the shared /proc/drbd parser in src/facts/drbd.ts. /proc/drbd is read 4 times a second during a
 * drill: no process spawn, so it is the cheapest source on the 8.4 module.
 *
 *   ` 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----`
 *   ` 0: cs:StandAlone ro:Secondary/Unknown ds:UpToDate/DUnknown   r-----`
 */
import {parseProcDrbd as parseShared, minorOf} from '../facts/drbd.js'

export {minorOf}

export interface DrbdDevice {
  minor: number
  /** Connection state: Connected, WFConnection, StandAlone, SyncSource, SyncTarget, Unconfigured, ... */
  cs: string
  role: string
  peerRole: string
  disk: string
  peerDisk: string
  /** Out-of-sync kB still to resync (the `oos:` counter), when printed. */
  outOfSyncKb?: number
}

/** Every device in /proc/drbd, by minor number. Empty when the module is loaded but nothing is configured. */
export function parseProcDrbd(text: string): Map<number, DrbdDevice> {
  const devices = new Map<number, DrbdDevice>()
  for (const [minor, m] of parseShared(text).minors) {
    devices.set(minor, {
      minor,
      cs: m.connection,
      // An unconfigured minor has no roles; the drills treat it as a Secondary with no disk.
      role: m.unconfigured ? 'Secondary' : m.role,
      peerRole: m.peerRole,
      disk: m.disk,
      peerDisk: m.peerDisk,
      ...(m.outOfSyncKiB !== null ? {outOfSyncKb: m.outOfSyncKiB} : {}),
    })
  }
  return devices
}

/** Connected and both disks UpToDate: the only state in which either node may safely take over. */
export function isHealthyPair(d: DrbdDevice | null | undefined): boolean {
  return Boolean(d && d.cs === 'Connected' && d.disk === 'UpToDate' && d.peerDisk === 'UpToDate')
}

export const describeDrbd = (d: DrbdDevice | null | undefined): string =>
  d ? (d.cs === 'Unconfigured' ? 'cs:Unconfigured' : `cs:${d.cs} ro:${d.role}/${d.peerRole} ds:${d.disk}/${d.peerDisk}`) : 'no DRBD (module not loaded)'
