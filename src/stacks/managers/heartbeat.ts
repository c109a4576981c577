/**
 * Heartbeat 3 in haresources mode (seeds 003 and 004): it owns the DRBD role and the mount
 * (drbddisk, Filesystem), so the DRBD steps stand down after the initial sync. Its steps are
 * not built yet (descriptor `ready: false`); validation, preflight and the drills know it already.
 */
import type {ConfigProblem} from '../../errors.js'
import {heartbeatSchema} from '../../config/schema.js'
import {isIPv4} from '../../config/net.js'
import {HB_TOOL_DIRS} from '../../facts/heartbeat.js'
import type {HaManager, LooseConfig} from '../types.js'
import {systemdUnitControl} from './systemd-unit.js'
import {AUTHKEYS_PATH, AUTHKEYS_SECRET_KEYS, HA_CF_PATH, HARESOURCES_PATH} from '../../templates/heartbeat.js'

/** Runs one of heartbeat's helpers wherever the distribution put it (`args` are trusted words). */
export const hbTool = (tool: string, args = '') =>
  `for d in ${HB_TOOL_DIRS.join(' ')}; do [ -x "$d/${tool}" ] && exec "$d/${tool}"${args ? ` ${args}` : ''}; done\necho '${tool} not found' >&2; exit 127`

export const heartbeatManager: HaManager = {
  id: 'heartbeat',
  title: 'heartbeat 3 (haresources)',
  section: 'heartbeat',
  sectionRequired: false,
  sectionDefaults: () => heartbeatSchema.parse({}),
  packages: ['heartbeat'],
  haUnit: 'heartbeat',
  units: ['heartbeat'],
  configFiles: [{path: HA_CF_PATH}, {path: HARESOURCES_PATH}, {path: AUTHKEYS_PATH, secretKeys: AUTHKEYS_SECRET_KEYS}],
  haProcess: 'heartbeat',
  ...systemdUnitControl('heartbeat'),
  killHa: 'pkill -KILL -x heartbeat',
  ownsDrbdRole: true,
  drbdUpAtBoot: true,
  needsExactNameResolution: true,
  selinux: {clusterDaemons: true, keepalivedScripts: false},
  peerChannels: (config) => [{proto: 'udp', port: config.heartbeat?.udpPort ?? 694, what: 'heartbeat', via: 'replication', configPath: 'heartbeat.udpPort', required: true}],
  detectionBoundMs: (config) => (config.heartbeat?.deadtime ?? 5) * 1000,
  detectionBoundWhy: (config) => `deadtime ${config.heartbeat?.deadtime ?? 5} s`,
  maintenance: () => ({
    // hb_standby is a one-shot request: nothing stays set that heal must undo.
    enter: `echo maintenance=hb_standby\n${hbTool('hb_standby')}`,
    leave: () => null,
    describe: 'hb_standby on the active node',
  }),
  // hb_standby asks the peer to take every resource; heartbeat keeps running on both nodes, so
  // there is nothing to rejoin. (Not yet proven in the lab, like the rest of the heartbeat stacks.)
  switchover: () => ({supported: true, release: hbTool('hb_standby'), rejoin: null, describe: 'hb_standby on the active node (heartbeat hands its resources to the peer and keeps running)'}),
  failsBack: (config) =>
    config.heartbeat?.autoFailback
      ? {returns: true, why: 'heartbeat auto_failback on'}
      : {returns: false, why: 'heartbeat auto_failback off: resources stay on the node holding them'},
  rules: (c) => [...timingRules(c), ...pingRules(c), ...mcastRules(c), ...haresourcesRules(c)],
}

function timingRules(c: LooseConfig): ConfigProblem[] {
  const hb = c.heartbeat
  if (!hb) return []
  const keepalive = hb.keepalive ?? 1
  const deadtime = hb.deadtime ?? 5
  const warntime = hb.warntime ?? 3
  const initdead = hb.initdead ?? 20
  if ([keepalive, deadtime, warntime, initdead].some((v) => typeof v !== 'number')) return []
  const out: ConfigProblem[] = []
  if (deadtime <= keepalive) out.push({path: 'heartbeat.deadtime', message: `${deadtime}s is not longer than keepalive (${keepalive}s): a single late heartbeat would declare the peer dead`, fix: `use several keepalives, e.g. \`deadtime: ${keepalive * 5}\``})
  else if (warntime >= deadtime) out.push({path: 'heartbeat.warntime', message: `${warntime}s is not shorter than deadtime (${deadtime}s), so it never warns`, fix: `use a value between keepalive and deadtime, e.g. \`warntime: ${Math.max(keepalive + 1, Math.floor(deadtime / 2))}\``})
  if (initdead < deadtime) out.push({path: 'heartbeat.initdead', message: `${initdead}s is shorter than deadtime (${deadtime}s); a booting peer would be declared dead`, fix: `use at least twice deadtime, e.g. \`initdead: ${deadtime * 2}\``})
  return out
}

/** The ping node must be a third machine: pinging the VIP or a node tells a node nothing about its network. */
function pingRules(c: LooseConfig): ConfigProblem[] {
  const ping = c.heartbeat?.ping
  if (!isIPv4(ping)) return []
  const nodes = Array.isArray(c.nodes) ? c.nodes : []
  if (ping !== c.vip?.address && !nodes.some((n) => n && (n.ip ?? n.address) === ping)) return []
  return [{path: 'heartbeat.ping', message: `${ping} is ${ping === c.vip?.address ? 'the VIP' : 'a node'}; the ping target must be a third machine both nodes can reach`, fix: "use the gateway of the nodes' network, e.g. `ping: 192.168.1.1`"}]
}

/** A multicast group outside 224.0.0.0/4 is an ordinary address: heartbeat would send unicast to it. */
function mcastRules(c: LooseConfig): ConfigProblem[] {
  const hb = c.heartbeat
  if (hb?.media !== 'mcast' || !isIPv4(hb.mcastGroup)) return []
  const first = Number(hb.mcastGroup.split('.')[0])
  if (first >= 224 && first <= 239) return []
  return [{path: 'heartbeat.mcastGroup', message: `${hb.mcastGroup} is not a multicast address (224.0.0.0/4)`, fix: 'use an administratively scoped group, e.g. `mcastGroup: 239.0.0.1`'}]
}

/**
 * haresources separates a resource's arguments with `::` and resources with whitespace: a mount
 * point holding `:` could end one argument early (`Filesystem::/dev/drbd0::/a::b::ext4`).
 */
function haresourcesRules(c: LooseConfig): ConfigProblem[] {
  const mp = c.filesystem?.mountPoint
  if (typeof mp !== 'string' || !mp.includes(':')) return []
  return [{path: 'filesystem.mountPoint', message: `${mp} holds ":"; heartbeat's haresources separates a resource's arguments with "::"`, fix: 'choose a mount point without ":", e.g. `mountPoint: /data`'}]
}
