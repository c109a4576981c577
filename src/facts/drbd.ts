/**
 * DRBD facts: which kernel module version runs (8.4 and 9 differ in status output and config),
 * the resource's state (roles, disk states, connection, sync progress) and its data generation
 * identifiers (to tell fresh metadata from metadata that has held data).
 *
 * 8.4 reports state in /proc/drbd; 9 keeps only the version there and reports through
 * `drbdsetup status --json`. Both are normalised into one DrbdResourceState.
 */
import {shq, type Fact} from './fact.js'

export type DrbdMajor = 8 | 9

export interface SyncProgress {
  /** 0..100 */
  percent: number
  /** Resync speed, KiB/s (8.4: the ~18 s average /proc/drbd prints first). */
  speedKiBs: number | null
  etaSeconds: number | null
  remainingKiB: number | null
  totalKiB: number | null
  stalled: boolean
}

export interface DrbdResourceState {
  role: string
  peerRole: string
  disk: string
  peerDisk: string
  /** 8.4 `cs:` value, or 9's connection-state (Connected, Connecting, StandAlone, ...). */
  connection: string
  /** 9's replication-state; for 8.4 derived from cs (Established, SyncSource, SyncTarget, ...). */
  replication: string
  /** The peers talk (any state past the handshake: Connected, syncing, verifying, Ahead/Behind). */
  connected: boolean
  /** Waiting for the peer (8.4 WFConnection/WFReportParams, 9 Connecting). */
  connecting: boolean
  protocol: string | null
  /** Out-of-sync KiB as the kernel counts it (8.4 `oos:`, 9 `out-of-sync`). */
  outOfSyncKiB: number | null
  sync: SyncProgress | null
}

// ---------------------------------------------------------------- /proc/drbd (8.4)

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

// ---------------------------------------------------------------- drbdsetup status --json (9)

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

// ---------------------------------------------------------------- get-gi

export type GenerationInfo =
  | {kind: 'present'; current: string; bitmap: string; history: string[]; flags: number[]; fresh: boolean}
  | {kind: 'none'; message: string}
  | {kind: 'no-config'; message: string}
  | {kind: 'error'; message: string}

/** UUID of metadata that create-md just wrote and that never held data (UUID_JUST_CREATED). */
export const JUST_CREATED_UUID = '0000000000000004'

/**
 * `drbdadm get-gi RES`: `CURRENT:BITMAP:HISTORY1:HISTORY2:flags...` (hex UUIDs, then 0/1 flags).
 * Fresh = never held data: the current UUID is JUST_CREATED and no bitmap or history UUID was ever set.
 */
export function parseGetGi(text: string, exitCode: number): GenerationInfo {
  const line = text.split('\n').find((l) => /^[0-9A-Fa-f]{16}(:[0-9A-Fa-f]{16}){3}(:\d+)*\s*$/.test(l.trim()))
  if (exitCode === 0 && line) {
    const parts = line.trim().split(':')
    const [current, bitmap, ...rest] = parts
    const history = rest.slice(0, 2)
    const flags = rest.slice(2).map(Number)
    const zero = (u: string) => /^0+$/.test(u)
    const fresh = current.toUpperCase() === JUST_CREATED_UUID && zero(bitmap) && history.every(zero)
    return {kind: 'present', current: current.toUpperCase(), bitmap: bitmap.toUpperCase(), history: history.map((h) => h.toUpperCase()), flags, fresh}
  }
  const message = text.trim()
  if (/not defined in your config|no resources defined/i.test(message)) return {kind: 'no-config', message}
  if (/No valid meta.?data found/i.test(message)) return {kind: 'none', message}
  return {kind: 'error', message: message || `exit ${exitCode}`}
}

// ---------------------------------------------------------------- the combined fact

export interface DrbdFacts {
  /** `uname -n`: must equal the node's `on` name in the resource file. */
  hostname: string
  /** Version of the loaded module (null: not loaded). */
  loaded: string | null
  /** Version modinfo finds for the module on disk (null: none installed for this kernel). */
  available: string | null
  /** drbdadm is installed. */
  utils: boolean
  /** Major version from the loaded module, else from the available one. */
  major: DrbdMajor | null
  /** The resource's state; null when it is not up in the kernel. */
  state: DrbdResourceState | null
  gi: GenerationInfo
}

const M = '@@drbd'

export function majorOf(version: string | null): DrbdMajor | null {
  if (!version) return null
  const major = Number(version.split('.')[0])
  return major >= 9 ? 9 : major === 8 ? 8 : null
}

/** Minor number of /dev/drbdN. */
export function minorOf(device: string): number {
  const m = /(\d+)$/.exec(device)
  if (!m) throw new Error(`${device} is not a /dev/drbdN device`)
  return Number(m[1])
}

const KERNEL_COMMAND = `echo "${M} hostname $(uname -n)"
v=$(cat /sys/module/drbd/version 2>/dev/null || sed -n '1s/^version: *\\([^ ]*\\).*/\\1/p' /proc/drbd 2>/dev/null)
echo "${M} loaded $v"
echo "${M} available $(modinfo -F version drbd 2>/dev/null | head -n1)"
if command -v drbdadm >/dev/null 2>&1; then echo '${M} utils yes'; else echo '${M} utils no'; fi`

export type DrbdKernel = Pick<DrbdFacts, 'hostname' | 'loaded' | 'available' | 'utils' | 'major'>

/** Host name, module versions (loaded, installed) and whether drbd-utils is there: what drbd.packages and drbd.config need. */
export const drbdKernelFact: Fact<DrbdKernel> = {
  command: KERNEL_COMMAND,
  parse(stdout) {
    const {hostname, loaded, available, utils, major} = parseDrbdOutput(stdout, 0)
    return {hostname, loaded, available, utils, major}
  },
}

/**
 * Everything the DRBD steps decide on, in one read-only script. `get-gi` reads metadata from the
 * kernel when attached and from disk otherwise (drbdadm picks); on a device without metadata it
 * exits 1 saying nothing, so `dump-md` is asked for the reason ("No valid meta data found").
 * stdin is /dev/null so a drbdmeta question can never wait for an answer (or eat the script).
 */
export function drbdFact(resource: string, device: string): Fact<DrbdFacts> {
  const r = shq(resource)
  return {
    command: `${stateCommand(resource)}
echo '${M} gi'
if ! command -v drbdadm >/dev/null 2>&1; then echo "${M} gi-rc 127"
elif drbdadm get-gi ${r} </dev/null 2>&1; then echo "${M} gi-rc 0"
else
  rc=$?
  # get-gi fails silently on a device without metadata; dump-md says why (its bitmap is only printed when metadata is valid).
  drbdadm dump-md ${r} </dev/null 2>&1 | head -n 5
  echo "${M} gi-rc $rc"
fi`,
    parse: (stdout) => parseDrbdOutput(stdout, minorOf(device)),
  }
}

function stateCommand(resource: string): string {
  return `${KERNEL_COMMAND}
echo '${M} proc'
cat /proc/drbd 2>/dev/null
case "$v" in
  9.*|1[0-9].*) echo '${M} status9'; drbdsetup status ${shq(resource)} --json 2>&1 ;;
esac`
}

/** The resource's state without the metadata read: cheap enough to poll every second while waiting. */
export function drbdStateFact(resource: string, device: string): Fact<Omit<DrbdFacts, 'gi'>> {
  return {
    command: stateCommand(resource),
    parse(stdout) {
      const {gi: _gi, ...rest} = parseDrbdOutput(stdout, minorOf(device))
      return rest
    },
  }
}

export function parseDrbdOutput(stdout: string, minor: number): DrbdFacts {
  const fields: Record<string, string> = {}
  const sections: Record<string, string[]> = {}
  let section = ''
  for (const line of stdout.split('\n')) {
    if (line.startsWith(`${M} `)) {
      const rest = line.slice(M.length + 1)
      const sp = rest.indexOf(' ')
      const word = sp < 0 ? rest : rest.slice(0, sp)
      const value = sp < 0 ? '' : rest.slice(sp + 1).trim()
      if (['proc', 'status9', 'gi'].includes(word)) {
        section = word
        sections[word] = []
      } else {
        fields[word] = value
        section = ''
      }
      continue
    }
    if (section) sections[section].push(line)
  }
  const loaded = fields.loaded || null
  const available = fields.available || null
  const major = majorOf(loaded) ?? majorOf(available)
  let state: DrbdResourceState | null = null
  if (loaded && majorOf(loaded) === 8) {
    const m = parseProcDrbd((sections.proc ?? []).join('\n')).minors.get(minor)
    state = m && !m.unconfigured ? m : null
    if (state) {
      const {minor: _minor, unconfigured: _u, ...rest} = state as ProcDrbdMinor
      state = rest
    }
  } else if (loaded && sections.status9) {
    const text = sections.status9.join('\n')
    state = text.trim().startsWith('[') || text.includes('"name"') ? parseDrbdStatusJson(text) : null
  }
  return {
    hostname: fields.hostname ?? '',
    loaded,
    available,
    utils: fields.utils === 'yes',
    major,
    state,
    gi: parseGetGi((sections.gi ?? []).join('\n'), Number(fields['gi-rc'] ?? 1)),
  }
}

/** `drbdadm -d adjust RES`: the commands adjust would run (none = the kernel matches the config). Secrets are blanked out. */
export function drbdAdjustFact(resource: string): Fact<{commands: string[]; error: string | null}> {
  return {
    command: `drbdadm -d adjust ${shq(resource)} </dev/null 2>&1 | sed -E 's/(shared-secret[= ]+)[^ ]+/\\1<hidden>/g'; exit \${PIPESTATUS[0]}`,
    parse(stdout, code) {
      const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean)
      if (code !== 0) return {commands: [], error: lines.join('\n') || `exit ${code}`}
      return {commands: lines.filter((l) => /^(drbdsetup|drbdmeta)/.test(l)), error: null}
    },
  }
}
