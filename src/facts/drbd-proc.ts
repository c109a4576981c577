/** DRBD 8.4's /proc/drbd: roles, disk and connection states, and resync progress per minor. */
import type {DrbdResourceState} from './drbd-state.js'

export interface ProcDrbdMinor extends DrbdResourceState {
  minor: number
  /** `cs:Unconfigured`: the minor exists but nothing is set up on it. */
  unconfigured: boolean
}

export interface ProcDrbd {
  version: string | null
  minors: Map<number, ProcDrbdMinor>
}

const NOT_CONNECTED_84 = new Set(['StandAlone', 'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe', 'NetworkFailure', 'ProtocolError', 'TearDown'])
const CONNECTING_84 = new Set(['WFConnection', 'WFReportParams'])

export function parseProcDrbd(text: string): ProcDrbd {
  const out: ProcDrbd = {version: null, minors: new Map()}
  let current: ProcDrbdMinor | undefined
  for (const line of text.split('\n')) {
    const version = /^version:\s*(\S+)/.exec(line)
    if (version) {
      out.version = version[1]
      continue
    }
    const head = /^\s*(\d+):\s+cs:(\S+)(?:\s+ro:(\S+?)\/(\S+)\s+ds:(\S+?)\/(\S+)\s+(\S)?\s*\S*)?/.exec(line)
    if (head) {
      const cs = head[2]
      const unconfigured = cs === 'Unconfigured'
      current = {
        minor: Number(head[1]),
        unconfigured,
        role: head[3] ?? 'Unknown',
        peerRole: head[4] ?? 'Unknown',
        disk: head[5] ?? 'Diskless',
        peerDisk: head[6] ?? 'DUnknown',
        connection: cs,
        replication: unconfigured || NOT_CONNECTED_84.has(cs) || CONNECTING_84.has(cs) ? 'Off' : cs === 'Connected' ? 'Established' : cs,
        connected: !unconfigured && !NOT_CONNECTED_84.has(cs) && !CONNECTING_84.has(cs),
        connecting: CONNECTING_84.has(cs),
        protocol: head[7] && /[ABC]/.test(head[7]) ? head[7] : null,
        outOfSyncKiB: null,
        sync: null,
      }
      out.minors.set(current.minor, current)
      continue
    }
    if (!current) continue
    const oos = /\boos:(\d+)/.exec(line)
    if (oos) current.outOfSyncKiB = Number(oos[1])
    // [=>..................] sync'ed: 12.5% (8960/10236)M    (or K for small devices)
    const synced = /(?:sync'ed|verified):\s*([\d.]+)%\s*(?:\((\d+)\/(\d+)\)([MK]))?/.exec(line)
    if (synced) {
      const unit = synced[4] === 'M' ? 1024 : 1
      current.sync = {
        percent: Number(synced[1]),
        remainingKiB: synced[2] ? Number(synced[2]) * unit : null,
        totalKiB: synced[3] ? Number(synced[3]) * unit : null,
        speedKiBs: null,
        etaSeconds: null,
        stalled: false,
      }
      continue
    }
    // finish: 0:01:32 speed: 101,884 (101,884) want: 102,400 K/sec (stalled)
    const finish = /finish:\s*(\d+):(\d+):(\d+)\s+speed:\s*([\d,]+)/.exec(line)
    if (finish && current.sync) {
      current.sync.etaSeconds = Number(finish[1]) * 3600 + Number(finish[2]) * 60 + Number(finish[3])
      current.sync.speedKiBs = Number(finish[4].replace(/,/g, ''))
      current.sync.stalled = /\(stalled\)/.test(line)
    }
  }
  return out
}
