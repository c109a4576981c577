/**
 * keepalived facts for status and drills: the installed version, and the last transitions the
 * notify/check scripts logged (/var/log/hapair-ha.log), which say when a node took over or let go.
 */
import {shq, type Fact} from './fact.js'
import {HA_LOG_PATH} from '../templates/scripts/paths.js'

export interface KeepalivedVersion {
  installed: boolean
  /** e.g. "2.2.7" */
  version: string | null
}

/** `keepalived --version` prints "Keepalived v2.2.7 (01/16,2022)" first (on stderr; factSet merges it). */
export const keepalivedVersionFact: Fact<KeepalivedVersion> = {
  command: `command -v keepalived >/dev/null || exit 127
keepalived --version 2>&1 | head -n 3`,
  parse(stdout, code) {
    if (code === 127) return {installed: false, version: null}
    const m = /Keepalived v(\d+(?:\.\d+)+)/.exec(stdout)
    return {installed: true, version: m ? m[1] : null}
  },
}

export interface HaLogEvent {
  /** ISO 8601 with milliseconds and offset, as the scripts write it. */
  time: string
  node: string
  /** master | backup | fault | stop | check */
  action: string
  message: string
}

/** Last `lines` events of the HA log; command output lines (indented "    | ...") are left out. */
export function haLogFact(lines = 50): Fact<HaLogEvent[]> {
  return {
    command: `[ -f ${shq(HA_LOG_PATH)} ] || exit 0
grep -v '^    | ' ${shq(HA_LOG_PATH)} | tail -n ${Math.max(1, Math.floor(lines))}`,
    parse: (stdout) => parseHaLog(stdout),
  }
}

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:\d\d|Z)) (\S+) (\S+): (.*)$/

export function parseHaLog(stdout: string): HaLogEvent[] {
  const events: HaLogEvent[] = []
  for (const line of stdout.split('\n')) {
    const m = LINE.exec(line)
    if (m) events.push({time: m[1], node: m[2], action: m[3], message: m[4]})
  }
  return events
}
