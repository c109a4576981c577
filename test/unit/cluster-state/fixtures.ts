/**
 * Recorded outputs the cluster-state model (and the drills built on it) are tested with, and small
 * builders for test clusters and node states.
 * /proc/drbd: the StandAlone case is a real DRBD 8.4.11 capture (Ubuntu's MicroK8s two-node HA
 * guide); the others follow drbd_proc.c's 8.4 format exactly (`%2d: cs:%s ro:%s/%s ds:%s/%s %c
 * %c%c%c%c%c%c`, protocol blank while unconnected). `ip -j` and `sha256sum` outputs were recorded
 * on Debian 12 (iproute2 6.1, coreutils 9.1).
 */
import {clusterSchema, type ClusterConfig} from '../../../src/config/schema.js'
import {DRBD9_MARK, parseDrbdPoll} from '../../../src/cluster-state/drbd.js'
import type {NodeState} from '../../../src/cluster-state/node-state.js'
import {recorded} from '../../helpers/recorded.js'

export const PROC_DRBD = {
  primaryConnected: `version: 8.4.11 (api:1/proto:86-101)
srcversion: C7B8F7076B8D6DB066D84D9 
 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----
    ns:1052 nr:0 dw:1052 dr:2409 al:4 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0
`,
  secondaryConnected: `version: 8.4.11 (api:1/proto:86-101)
srcversion: C7B8F7076B8D6DB066D84D9 
 0: cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate C r-----
    ns:0 nr:1052 dw:1052 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0
`,
  /** Real capture: the node that detected the split brain. */
  standAloneSplit: `version: 8.4.11 (api:1/proto:86-101)
srcversion: C7B8F7076B8D6DB066D84D9
 0: cs:StandAlone ro:Secondary/Unknown ds:UpToDate/DUnknown   r-----
    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:1802140
`,
  standAlonePrimary: `version: 8.4.11 (api:1/proto:86-101)
srcversion: C7B8F7076B8D6DB066D84D9 
 0: cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown   r-----
    ns:0 nr:0 dw:4120 dr:3311 al:12 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:4120
`,
  wfConnectionPrimary: `version: 8.4.11 (api:1/proto:86-101)
srcversion: C7B8F7076B8D6DB066D84D9 
 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----
    ns:0 nr:0 dw:204 dr:1221 al:3 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:204
`,
  syncSource: `version: 8.4.11 (api:1/proto:86-101)
srcversion: C7B8F7076B8D6DB066D84D9 
 0: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----
    ns:41320 nr:0 dw:0 dr:42080 al:0 bm:0 lo:0 pe:2 ua:0 ap:0 ep:1 wo:f oos:90752
	[=====>..............] sync'ed: 31.4% (90752/131072)K
	finish: 0:00:13 speed: 6,884 (6,884) K/sec
`,
  /** minor 0 unconfigured, minor 1 in use. */
  twoDevices: `version: 8.4.11 (api:1/proto:86-101)
srcversion: C7B8F7076B8D6DB066D84D9 
 0: cs:Unconfigured
 1: cs:Connected ro:Secondary/Secondary ds:UpToDate/UpToDate C r-----
    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0
`,
  moduleOnly: `version: 8.4.11 (api:1/proto:86-101)
srcversion: C7B8F7076B8D6DB066D84D9 
`,
}

/** dmesg line from the same capture. */
export const DMESG_SPLIT = '[  +0.000082] block drbd0: Split-Brain detected but unresolved, dropping connection!'

/** `ip -j -4 addr show dev eth0`, recorded with iproute2 6.1 on a veth in a network namespace. */
export const IP_JSON = {
  noVip: `[{"ifindex":3,"link":"v1","ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"addr_info":[{"family":"inet","local":"10.9.0.11","prefixlen":24,"scope":"global","label":"eth0","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]
`,
  withVip: `[{"ifindex":3,"link":"v1","ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"addr_info":[{"family":"inet","local":"10.9.0.11","prefixlen":24,"scope":"global","label":"eth0","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet","local":"10.9.0.100","prefixlen":32,"scope":"global","label":"eth0","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]
`,
  /** stderr of a missing interface; stdout is empty and the exit code 1. */
  missingDevice: '',
}

/** `find . -maxdepth 1 -type f -name 'rec-*' -exec sha256sum {} +` recorded with coreutils 9.1. */
export const SHA256SUM_LISTING = `365f213b3570e506f91ad345237c2d5c9183a2c5eb429d0150c9625e29857e5a  ./rec-000001
2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  ./rec-000002
`

export function testConfig(overrides: Record<string, unknown> = {}): ClusterConfig {
  return clusterSchema.parse({
    name: 'drillpair',
    stack: 'keepalived',
    nodes: [
      {name: 'node1', address: '10.9.0.11'},
      {name: 'node2', address: '10.9.0.12', replicationAddress: '10.10.0.12'},
    ],
    vip: {address: '10.9.0.100', prefix: 24, interface: 'eth0'},
    filesystem: {mountPoint: '/data'},
    nfs: {exports: [{path: '/data', clients: '10.9.0.0/24'}]},
    keepalived: {virtualRouterId: 51},
    drill: {writeIntervalMs: 100, timeoutSeconds: 30},
    ...overrides,
  })
}

/** A DRBD 8.4 state as the model reads it from /proc/drbd (so every derived field is what the parser gives). */
const drbd = (role: string, peerRole: string, cs = 'Connected', disk = 'UpToDate', peerDisk = 'UpToDate') =>
  parseDrbdPoll(`version: 8.4.11 (api:1/proto:86-101)\n 0: cs:${cs} ro:${role}/${peerRole} ds:${disk}/${peerDisk} C r-----\n`, 0)!

/**
 * What a DRBD 9 node's poll prints: /proc/drbd with version lines only, then drbdsetup's JSON
 * (both recorded, test/fixtures/recorded/drbd). `uptodate` is the recorded SyncSource answer with
 * the sync finished (replication Established, peer disk UpToDate): no converged JSON is recorded.
 */
export const DRBD9_POLL = (() => {
  const proc = recorded('drbd', 'proc9-version').output
  const sync = recorded('drbd', 'status9-json-syncsource').output
  const poll = (json: string) => `${proc}${DRBD9_MARK}\n${json}`
  return {
    syncSource: poll(sync),
    connecting: poll(recorded('drbd', 'status9-json-connecting').output),
    upToDate: poll(sync.replace('"SyncSource"', '"Established"').replace('"Inconsistent"', '"UpToDate"')),
    /** drbdsetup's answer for a resource that is not up (exit 10). */
    notUp: poll('r0: No such resource\n'),
  }
})()

export function serving(extra: Partial<NodeState> = {}): NodeState {
  return {drbd: drbd('Primary', 'Secondary'), vipHeld: true, mounted: true, nfsdThreads: 8, haActive: true, splitBrainLog: [], ...extra}
}

export function standby(extra: Partial<NodeState> = {}): NodeState {
  return {drbd: drbd('Secondary', 'Primary'), vipHeld: false, mounted: false, nfsdThreads: 0, haActive: true, splitBrainLog: [], ...extra}
}

export {drbd}
