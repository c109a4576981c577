/** DRBD facts for step tests, built from the recorded and docs fixtures (not a test file itself). */
import {parseDrbdOutput, parseProcDrbd, type DrbdFacts, type DrbdResourceState, type GenerationInfo} from '../../../../src/facts/drbd.js'
import {recorded} from '../../../helpers/recorded.js'

/** The minor-0 state of a /proc/drbd fixture (e.g. 'proc84-syncsource'). */
export function procState(name: string): DrbdResourceState {
  const m = parseProcDrbd(recorded('drbd', name).output).minors.get(0)!
  const {minor: _m, unconfigured: _u, ...state} = m
  return state
}

/** get-gi results as recorded from drbd-utils: 'none', 'fresh', 'used', 'no-config'. */
export function gi(kind: 'none' | 'fresh' | 'used' | 'no-config'): GenerationInfo {
  const file = {none: 'fact-no-module-blank', fresh: 'fact-no-module-fresh-md', used: 'fact-no-module-used-md', 'no-config': 'fact-no-config'}[kind]
  return parseDrbdOutput(recorded('drbd', file).output, 9).gi
}

export function drbdFacts(node: string, o: {state?: string | DrbdResourceState | null; gi?: GenerationInfo; loaded?: string | null} = {}): DrbdFacts {
  const loaded = o.loaded === undefined ? '8.4.11' : o.loaded
  return {
    hostname: node,
    loaded,
    available: loaded,
    utils: true,
    major: loaded ? (loaded.startsWith('9') ? 9 : 8) : null,
    state: typeof o.state === 'string' ? procState(o.state) : (o.state ?? null),
    gi: o.gi ?? gi('fresh'),
  }
}

/** The same state seen from the other side (roles and disks swapped). */
export function mirrored(s: DrbdResourceState): DrbdResourceState {
  const replication = s.replication === 'SyncSource' ? 'SyncTarget' : s.replication === 'SyncTarget' ? 'SyncSource' : s.replication
  return {...s, role: s.peerRole, peerRole: s.role, disk: s.peerDisk, peerDisk: s.disk, replication, connection: s.connection.replace(/^SyncSource$/, 'SyncTarget')}
}

/** What a node answers to the polled state script (factSet framing around drbdStateFact's output). */
export function stateReply(procFixture: string, loaded = '8.4.11'): {stdout: string} {
  const body = `@@drbd hostname node1\n@@drbd loaded ${loaded}\n@@drbd available ${loaded}\n@@drbd utils yes\n@@drbd proc\n${recorded('drbd', procFixture).output}`
  return {stdout: `@@hapair-fact state\n${body}\n@@hapair-fact-rc 0\n`}
}
