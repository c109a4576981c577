/** What a node prints for the status probe: recorded 8.4 /proc/drbd lines (or a whole DRBD 9 answer) and `ip -j` output. */
import type {ClusterConfig} from '../../../src/config/schema.js'

export function nodeOutput(config: ClusterConfig, o: {proc?: string; drbd9?: string; vip: boolean; mounted: boolean; threads: number; ha: boolean; log?: string}): string {
  const addr = [{family: 'inet', local: config.nodes[0].address, prefixlen: 24}, ...(o.vip ? [{family: 'inet', local: config.vip.address, prefixlen: 24, secondary: true}] : [])]
  const section = (name: string, body: string, rc = 0) => `@@hapair-fact ${name}\n${body}\n@@hapair-fact-rc ${rc}\n`
  return (
    section('drbd', o.drbd9 ?? `version: 8.4.11 (api:1/proto:86-101)\n${o.proc}`) +
    section('vipHeld', JSON.stringify([{ifname: 'eth0', flags: ['UP', 'LOWER_UP'], addr_info: addr}])) +
    section('mounted', o.mounted ? '/dev/drbd0 /data ext4' : '') +
    section('nfsdThreads', String(o.threads)) +
    section('haActive', o.ha ? 'active' : 'inactive', o.ha ? 0 : 3) +
    section('splitBrainLog', o.log ?? '', o.log ? 0 : 1)
  )
}

export const primary = ' 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0'
export const secondary = ' 0: cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate C r-----\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0'
/** The survivor of a lost peer: still Primary, waiting for the peer to come back. */
export const primaryAlone = ' 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0'
