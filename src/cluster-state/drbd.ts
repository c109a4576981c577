/**
 * One node's DRBD resource as the cluster-state model sees it, read cheaply enough for the
 * drills' 4-per-second polls. 8.4 reports in /proc/drbd: reading it spawns one `cat` and nothing
 * else. 9 keeps only its version lines there, so the same script, seeing a version other than
 * 8.x, asks `drbdsetup status RES --json` instead (a process spawn, paid on 9 nodes only). Both
 * are normalised by the shared parsers in src/facts/ into one DrbdResourceState, so every
 * judgement below reads the same fields whatever the kernel generation.
 */
import {shq, type Fact} from '../facts/fact.js'
import {minorOf, parseDrbdStatusJson, parseProcDrbd, type DrbdResourceState} from '../facts/drbd.js'

export type {DrbdResourceState}

/** Printed before drbdsetup's answer, so the parser knows which generation spoke. */
export const DRBD9_MARK = '@@drbd9-status'

/**
 * The resource's state; null when the module is not loaded or (9) the resource is not up.
 * An 8.4 minor that exists but is unconfigured reads as connection `Unconfigured`.
 */
export function drbdPollFact(resource: string, device: string): Fact<DrbdResourceState | null> {
  const minor = minorOf(device)
  return {
    // Shell builtins only on an 8.4 node: the drills poll four times a second, and on an emulated
    // guest each program started costs a real part of a second of its one CPU.
    command: `first=
while IFS= read -r line; do [ -n "$first" ] || first=$line; printf '%s\\n' "$line"; done </proc/drbd || exit 1
case "$first" in 'version: 8.'*) ;; *) echo '${DRBD9_MARK}'; drbdsetup status ${shq(resource)} --json ;; esac`,
    parse: (stdout, code) => (code === 0 ? parseDrbdPoll(stdout, minor) : null),
  }
}

export function parseDrbdPoll(stdout: string, minor: number): DrbdResourceState | null {
  const at = stdout.indexOf(DRBD9_MARK)
  if (at >= 0) {
    try {
      return parseDrbdStatusJson(stdout.slice(at + DRBD9_MARK.length))
    } catch {
      return null // drbdsetup said something that is not JSON (an error): the resource is not readable as up
    }
  }
  const m = parseProcDrbd(stdout).minors.get(minor)
  if (!m) return null
  const {minor: _minor, unconfigured: _unconfigured, ...state} = m
  return state
}

/** Connected and both disks UpToDate: the only state in which either node may safely take over. */
export function isHealthyPair(d: DrbdResourceState | null | undefined): boolean {
  return Boolean(d && d.connected && d.replication === 'Established' && d.disk === 'UpToDate' && d.peerDisk === 'UpToDate')
}

/** The peers do not talk (StandAlone, waiting for the peer, or a broken link); an unconfigured minor is not "disconnected", it is down. */
export const isDisconnected = (d: DrbdResourceState): boolean => !d.connected && d.connection !== 'Unconfigured'

export const isStandAlone = (d: DrbdResourceState | null | undefined): boolean => d?.connection === 'StandAlone'

export const isResyncing = (d: DrbdResourceState): boolean => /^(Sync|PausedSync)/.test(d.replication)

/** 8.4's cs: as it printed it; 9's connection state with its replication state when that says more (`Connected/SyncSource`). */
export function connectionText(d: DrbdResourceState): string {
  return d.replication !== d.connection && !['Established', 'Off'].includes(d.replication) ? `${d.connection}/${d.replication}` : d.connection
}

export const describeDrbd = (d: DrbdResourceState | null | undefined): string =>
  d
    ? d.connection === 'Unconfigured'
      ? 'cs:Unconfigured'
      : `cs:${connectionText(d)} ro:${d.role}/${d.peerRole} ds:${d.disk}/${d.peerDisk}`
    : 'DRBD not up (module not loaded, or the resource is down)'
