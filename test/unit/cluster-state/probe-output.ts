/** Builds what a node's probe script prints (factSet's markers around each fact), from recorded pieces. */
import type {NodeState} from '../../../src/cluster-state/node-state.js'
import {IP_JSON, PROC_DRBD} from './fixtures.js'

const section = (name: string, stdout: string, code = 0) => `@@hapair-fact ${name}\n${stdout.replace(/\n$/, '')}\n@@hapair-fact-rc ${code}\n`

export interface RawProbe {
  /** What the DRBD read printed (/proc/drbd, or on a 9 node its version lines and drbdsetup's JSON); null: no /proc/drbd. */
  procDrbd?: string | null
  vip?: boolean
  mounted?: boolean
  threads?: number
  ha?: 'active' | 'inactive' | 'failed'
  splitLog?: string[]
}

export function probeOutput(raw: RawProbe, full = false): string {
  return [
    raw.procDrbd === null ? section('drbd', 'cat: /proc/drbd: No such file or directory', 1) : section('drbd', raw.procDrbd ?? PROC_DRBD.secondaryConnected),
    section('vipHeld', raw.vip ? IP_JSON.withVip : IP_JSON.noVip),
    section('mounted', raw.mounted ? '/dev/drbd0 /data ext4' : ''),
    section('nfsdThreads', String(raw.threads ?? 0)),
    section('haActive', raw.ha ?? 'active', raw.ha && raw.ha !== 'active' ? 3 : 0),
    full ? section('splitBrainLog', (raw.splitLog ?? []).join('\n'), raw.splitLog?.length ? 0 : 1) : '',
  ].join('')
}

/** The raw outputs for a node state (the inverse of the probe's parser, for simulated nodes). */
export function rawFor(s: NodeState): RawProbe {
  const d = s.drbd
  const procDrbd = d
    ? `version: 8.4.11 (api:1/proto:86-101)\n 0: cs:${d.connection} ro:${d.role}/${d.peerRole} ds:${d.disk}/${d.peerDisk} C r-----\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n`
    : null
  return {procDrbd, vip: s.vipHeld, mounted: s.mounted, threads: s.nfsdThreads ?? 0, ha: s.haActive === false ? 'inactive' : 'active', splitLog: s.splitBrainLog}
}
