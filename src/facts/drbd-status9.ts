/** DRBD 9 reports state through drbdsetup (JSON, or the text of `drbdadm status`), not /proc/drbd. */
import type {DrbdResourceState} from './drbd-state.js'

/** `drbdsetup status RES --json`: an array of resources; the first (only) one is ours. Null when the resource is not up. */
export function parseDrbdStatusJson(text: string): DrbdResourceState | null {
  const start = text.indexOf('[')
  const end = text.lastIndexOf(']')
  if (start < 0 || end < start) return null
  const list = JSON.parse(text.slice(start, end + 1))
  const res = Array.isArray(list) ? list[0] : undefined
  if (!res) return null
  const device = res.devices?.[0] ?? {}
  const conn = res.connections?.[0]
  const peerDevice = conn?.peer_devices?.[0]
  const replication = String(peerDevice?.['replication-state'] ?? 'Off')
  const syncing = /^(Sync|PausedSync|Verify)/.test(replication)
  const connection = String(conn?.['connection-state'] ?? 'StandAlone')
  const etaRaw = peerDevice?.['estimated-seconds-to-finish']
  return {
    role: String(res.role ?? 'Unknown'),
    peerRole: String(conn?.['peer-role'] ?? 'Unknown'),
    disk: String(device['disk-state'] ?? 'Diskless'),
    peerDisk: String(peerDevice?.['peer-disk-state'] ?? 'DUnknown'),
    connection,
    replication,
    connected: connection === 'Connected',
    connecting: connection === 'Connecting',
    protocol: null,
    outOfSyncKiB: peerDevice?.['out-of-sync'] === undefined ? null : Number(peerDevice['out-of-sync']),
    sync: syncing
      ? {
          // percent-resync-done comes with sync details; percent-in-sync is always there and equal in spirit.
          percent: Number(peerDevice['percent-resync-done'] ?? peerDevice['percent-in-sync'] ?? 0),
          // 987654321 is drbdsetup's "no estimate yet".
          etaSeconds: etaRaw === undefined || Number(etaRaw) >= 987654321 ? null : Number(etaRaw),
          speedKiBs: peerDevice['db/dt [MiB/s]'] === undefined ? null : Math.round(Number(peerDevice['db/dt [MiB/s]']) * 1024),
          remainingKiB: peerDevice['out-of-sync'] === undefined ? null : Number(peerDevice['out-of-sync']),
          totalKiB: peerDevice['rs-total'] === undefined ? null : Number(peerDevice['rs-total']) / 2,
          stalled: false,
        }
      : null,
  }
}

/**
 * `drbdadm status RES` / `drbdsetup status RES` text (9, two nodes):
 *   r0 role:Primary
 *     disk:UpToDate
 *     node2 role:Secondary
 *       replication:SyncSource peer-disk:Inconsistent done:12.34
 * or, while the peer is away, `node2 connection:Connecting`.
 */
export function parseDrbdStatusText(text: string): DrbdResourceState | null {
  const lines = text.split('\n').filter((l) => l.trim())
  if (lines.length === 0 || !/\brole:/.test(lines[0])) return null
  const kv = (line: string) => Object.fromEntries([...line.matchAll(/([a-z-]+):(\S+)/g)].map((m) => [m[1], m[2]]))
  const head = kv(lines[0])
  let disk = 'Diskless'
  let peer: Record<string, string> = {}
  let peerDev: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    const indent = line.length - line.trimStart().length
    const fields = kv(line)
    if (indent <= 2 && fields.disk) disk = fields.disk
    else if (indent <= 2) peer = fields // "<peer name> role:... " or "<peer name> connection:..."
    else peerDev = {...peerDev, ...fields}
  }
  const connection = peer.connection ?? (peer.role ? 'Connected' : 'StandAlone')
  const replication = peerDev.replication ?? (connection === 'Connected' ? 'Established' : 'Off')
  const syncing = /^(Sync|PausedSync|Verify)/.test(replication)
  return {
    role: head.role,
    peerRole: peer.role ?? 'Unknown',
    disk,
    peerDisk: peerDev['peer-disk'] ?? 'DUnknown',
    connection,
    replication,
    connected: connection === 'Connected',
    connecting: connection === 'Connecting',
    protocol: null,
    outOfSyncKiB: null,
    sync: syncing ? {percent: Number(peerDev.done ?? 0), etaSeconds: null, speedKiBs: null, remainingKiB: null, totalKiB: null, stalled: false} : null,
  }
}
