/**
 * DRBD facts: which kernel module version runs (8.4 and 9 differ in status output and config),
 * the resource's state (roles, disk states, connection, sync progress) and its data generation
 * identifiers (to tell fresh metadata from metadata that has held data).
 *
 * 8.4 reports state in /proc/drbd; 9 keeps only the version there and reports through
 * `drbdsetup status --json`. Both are normalised into one DrbdResourceState.
 */
import {shq, type Fact} from './fact.js'
import {parseProcDrbd, type ProcDrbdMinor} from './drbd-proc.js'
import {parseDrbdStatusJson} from './drbd-status9.js'
import type {DrbdMajor, DrbdResourceState} from './drbd-state.js'

export * from './drbd-state.js'
export * from './drbd-proc.js'
export * from './drbd-status9.js'

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
