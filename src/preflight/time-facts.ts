/**
 * Is the clock kept in sync, and by what? Three read-only probes, because no single one works
 * everywhere: timedatectl (systemd; also says whether `set-ntp` would work), chronyc (chrony
 * knows whether it is synchronised even without systemd), and which time daemons are installed
 * and running (ntpd reports nothing by itself).
 */
import type {Fact} from '../facts/fact.js'

export interface TimedatectlInfo {
  /** timedatectl ran and answered (systemd is PID 1). */
  available: boolean
  /** An NTP service is installed that `timedatectl set-ntp true` can switch on. */
  canNtp: boolean | null
  /** That service is switched on. */
  ntp: boolean | null
  synchronized: boolean | null
  /** Why it did not answer (e.g. "System has not been booted with systemd"). */
  error?: string
}

export interface ChronyInfo {
  installed: boolean
  /** chronyd answered chronyc. */
  running: boolean
  synchronized: boolean
}

export type TimeDaemon = 'chrony' | 'timesyncd' | 'ntpd'

export interface TimeDaemons {
  installed: TimeDaemon[]
  /** Units `systemctl is-active` reports active, by unit name. */
  active: string[]
  /** The container technology when the node is a container (its clock is the host's), else null. */
  container: string | null
}

const yesNo = (v: string | undefined): boolean | null => (v === 'yes' ? true : v === 'no' ? false : null)

/** `timedatectl show` (systemd 239+), or `timedatectl status` on older systemd (EL7). */
export const timedatectlFact: Fact<TimedatectlInfo> = {
  command: `command -v timedatectl >/dev/null || { echo absent; exit 0; }
timedatectl show -p CanNTP -p NTP -p NTPSynchronized 2>/dev/null || timedatectl status 2>&1`,
  parse(stdout, code) {
    const text = stdout.trim()
    if (text === 'absent') return {available: false, canNtp: null, ntp: null, synchronized: null, error: 'timedatectl is not installed'}
    const kv: Record<string, string> = {}
    for (const line of text.split('\n')) {
      const m = /^\s*([A-Za-z][A-Za-z ]*?)\s*[=:]\s*(.*)$/.exec(line)
      if (m) kv[m[1]] = m[2].trim()
    }
    // `show`: NTP=yes, NTPSynchronized=yes, CanNTP=yes. `status` (new): "System clock synchronized: yes",
    // "NTP service: active"; (systemd 219): "NTP enabled: yes", "NTP synchronized: yes".
    const synchronized = yesNo(kv.NTPSynchronized ?? kv['System clock synchronized'] ?? kv['NTP synchronized'])
    const service = kv['NTP service']
    const ntp = yesNo(kv.NTP ?? kv['NTP enabled']) ?? (service === 'active' ? true : service === 'inactive' ? false : null)
    const canNtp = yesNo(kv.CanNTP) ?? (service === 'n/a' ? false : ntp === null ? null : true)
    if (synchronized === null && ntp === null) {
      return {available: false, canNtp: null, ntp: null, synchronized: null, error: text.split('\n')[0] || `timedatectl exited ${code}`}
    }
    return {available: true, canNtp, ntp, synchronized}
  },
}

/** chronyd's own view: "Leap status : Normal" once it has synchronised. */
export const chronyFact: Fact<ChronyInfo> = {
  command: `command -v chronyc >/dev/null || { echo absent; exit 0; }
chronyc -n tracking 2>&1`,
  parse(stdout) {
    const text = stdout.trim()
    if (text === 'absent') return {installed: false, running: false, synchronized: false}
    const leap = /^Leap status\s*:\s*(.+)$/m.exec(text)?.[1].trim()
    if (!leap) return {installed: true, running: false, synchronized: false}
    return {installed: true, running: true, synchronized: leap !== 'Not synchronised'}
  },
}

const UNITS = ['chrony', 'chronyd', 'systemd-timesyncd', 'ntpsec', 'ntp', 'ntpd']
const BINARIES: Record<string, TimeDaemon> = {
  '/usr/sbin/chronyd': 'chrony',
  '/lib/systemd/systemd-timesyncd': 'timesyncd',
  '/usr/lib/systemd/systemd-timesyncd': 'timesyncd',
  '/usr/sbin/ntpd': 'ntpd',
}

export const timeDaemonsFact: Fact<TimeDaemons> = {
  command: `if command -v systemctl >/dev/null; then for u in ${UNITS.join(' ')}; do echo "unit $u $(systemctl is-active "$u" 2>/dev/null)"; done; fi
for b in ${Object.keys(BINARIES).join(' ')}; do [ -x "$b" ] && echo "bin $b"; done
command -v systemd-detect-virt >/dev/null && echo "virt $(systemd-detect-virt --container 2>/dev/null)"; true`,
  parse(stdout) {
    const installed = new Set<TimeDaemon>()
    const active: string[] = []
    let container: string | null = null
    for (const line of stdout.split('\n')) {
      const [kind, name, state] = line.trim().split(/\s+/)
      if (kind === 'bin' && BINARIES[name]) installed.add(BINARIES[name])
      if (kind === 'unit' && state === 'active') active.push(name)
      if (kind === 'virt' && name && name !== 'none') container = name
    }
    return {installed: [...installed].sort(), active, container}
  },
}
