/**
 * A minimal, pure parser of DRBD 8.4's /proc/drbd (the lab and Debian 12 guests run the 8.4
 * kernel module under drbd-utils 9). The drills need only one device's connection state, roles
 * and disk states, read 4 times a second, so /proc/drbd (no process spawn) is the cheapest source.
 *
 * Written here because no shared DRBD fact parser existed when the drills were built; if
 * `src/facts/drbd*.ts` grows one, this file should become a thin re-export of it.
 *
 * Format (drbd_proc.c, 8.4):
 *   ` 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----`
 *   ` 0: cs:StandAlone ro:Secondary/Unknown ds:UpToDate/DUnknown   r-----`
 *   ` 1: cs:Unconfigured`
 */

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

const DEVICE_LINE = /^\s*(\d+):\s+cs:(\S+)(?:\s+ro:([^/\s]+)\/(\S+)\s+ds:([^/\s]+)\/(\S+))?/

/** Every device in /proc/drbd, by minor number. Empty when the module is loaded but nothing is configured. */
export function parseProcDrbd(text: string): Map<number, DrbdDevice> {
  const devices = new Map<number, DrbdDevice>()
  let current: DrbdDevice | undefined
  for (const line of text.split('\n')) {
    const m = DEVICE_LINE.exec(line)
    if (m) {
      current = {
        minor: Number(m[1]),
        cs: m[2],
        role: m[3] ?? 'Secondary',
        peerRole: m[4] ?? 'Unknown',
        disk: m[5] ?? 'Diskless',
        peerDisk: m[6] ?? 'DUnknown',
      }
      devices.set(current.minor, current)
      continue
    }
    const oos = /\boos:(\d+)/.exec(line)
    if (oos && current) current.outOfSyncKb = Number(oos[1])
  }
  return devices
}

/** The minor number of a DRBD device path (`/dev/drbd0` -> 0). */
export function minorOf(device: string): number {
  const m = /(\d+)$/.exec(device)
  if (!m) throw new Error(`not a DRBD device path: ${device}`)
  return Number(m[1])
}

/** Connected and both disks UpToDate: the only state in which either node may safely take over. */
export function isHealthyPair(d: DrbdDevice | null | undefined): boolean {
  return Boolean(d && d.cs === 'Connected' && d.disk === 'UpToDate' && d.peerDisk === 'UpToDate')
}

export const describeDrbd = (d: DrbdDevice | null | undefined): string =>
  d ? (d.cs === 'Unconfigured' ? 'cs:Unconfigured' : `cs:${d.cs} ro:${d.role}/${d.peerRole} ds:${d.disk}/${d.peerDisk}`) : 'no DRBD (module not loaded)'
