/**
 * What the drills need to know about each HA stack, in one table, so scenarios stay
 * stack-neutral: which daemon is "the HA daemon", how to stop, kill and start it, how a planned
 * switchover is asked for, whether service returns to the preferred node, how fast the stack
 * notices a dead peer, and which peer-to-peer channels an isolation cuts.
 */
import type {ClusterConfig, Stack} from '../config/schema.js'
import {shq} from '../facts/fact.js'
import {keepalivedStack} from '../stacks/keepalived.js'

/** A peer-to-peer channel an `isolate` drill cuts: DRBD replication plus the stack's heartbeat. */
export type PeerChannel = {proto: 'tcp' | 'udp'; port: number; what: string} | {proto: 'vrrp'; what: string}

export interface Maintenance {
  /** Script run on the active node; prints `maintenance=<mode>` so heal knows what to undo. */
  enter: string
  /** Script that undoes `mode` on that node (null: a one-shot request with nothing to undo). */
  leave(mode: string): string | null
  describe: string
}

export interface DrillStack {
  stack: Stack
  /** systemd unit of the HA daemon (what `stop-ha` stops and heal starts). */
  haUnit: string
  /** Process name `kill-ha` SIGKILLs (`pkill -x`). */
  haProcess: string
  startHa: string
  stopHa: string
  killHa: string
  /** Whether drills that write through NFS apply (the stack serves DRBD + NFS). */
  servesNfs: boolean
  maintenance(config: ClusterConfig): Maintenance
  /** Does service return to the preferred node by itself when it comes back (preempt / auto_failback)? */
  failsBack(config: ClusterConfig): {returns: boolean; why: string}
  /** Moves service off `node` before a failback drill / brings `node` back (the failback fault). */
  failbackPrepare: string
  failbackInject: string
  /** Longest time the stack's timers allow before a dead active node is noticed. */
  detectionBoundMs(config: ClusterConfig): number
  detectionBoundWhy(config: ClusterConfig): string
  peerChannels(config: ClusterConfig): PeerChannel[]
}

/** The NFS server unit on Debian and RHEL families alike (nfs-kernel-server is an alias of it on Debian). */
export const NFS_UNIT = 'nfs-server'

const systemd = (unit: string) => ({
  startHa: `systemctl reset-failed ${unit} 2>/dev/null || true\nsystemctl start ${unit}`,
  stopHa: `systemctl stop ${unit}`,
})

const drbdChannel = (config: ClusterConfig): PeerChannel => ({proto: 'tcp', port: config.drbd.port, what: 'DRBD replication'})

const keepalived: DrillStack = {
  stack: 'keepalived',
  haUnit: 'keepalived',
  haProcess: 'keepalived',
  ...systemd('keepalived'),
  killHa: 'pkill -KILL -x keepalived',
  servesNfs: true,
  maintenance(config) {
    // Seed 001's maintenance file works only where a vrrp_script watches it; seed 000's config has
    // none, so without it the planned switchover is a graceful stop (notify_stop hands over cleanly).
    const file = config.lvs?.maintenanceFile ?? '/etc/keepalived/down'
    return {
      enter: `if grep -qsF -- ${shq(file)} /etc/keepalived/keepalived.conf; then touch ${shq(file)}; echo maintenance=down-file; else systemctl stop keepalived; echo maintenance=stop; fi`,
      leave: (mode) => (mode === 'down-file' ? `rm -f ${shq(file)}` : `systemctl start keepalived`),
      describe: `touch ${file} when keepalived.conf watches it, else a graceful \`systemctl stop keepalived\``,
    }
  },
  failsBack: (config) =>
    (config.keepalived?.preempt ?? true)
      ? {returns: true, why: 'keepalived preempt: the higher priority takes the VIP back'}
      : {returns: false, why: 'keepalived nopreempt: the VIP stays where it is'},
  failbackPrepare: 'systemctl stop keepalived',
  failbackInject: 'systemctl reset-failed keepalived 2>/dev/null || true\nsystemctl start keepalived',
  // One source for the VRRP master-down interval: the stack's descriptor.
  detectionBoundMs: (config) => keepalivedStack.detectionBoundMs(config),
  detectionBoundWhy: (config) => `3 x advert_int (${config.keepalived?.advertInt ?? 1} s) + skew`,
  peerChannels: (config) => [drbdChannel(config), {proto: 'vrrp', what: 'VRRP adverts'}],
}

const HB_TOOLS = ['/usr/share/heartbeat', '/usr/lib/heartbeat', '/usr/lib64/heartbeat', '/usr/libexec/heartbeat']
const hbTool = (tool: string) => `for d in ${HB_TOOLS.join(' ')}; do [ -x "$d/${tool}" ] && exec "$d/${tool}"; done\necho '${tool} not found' >&2; exit 127`

const heartbeat: DrillStack = {
  stack: 'heartbeat',
  haUnit: 'heartbeat',
  haProcess: 'heartbeat',
  ...systemd('heartbeat'),
  killHa: 'pkill -KILL -x heartbeat',
  servesNfs: true,
  maintenance: () => ({
    // hb_standby is a one-shot request: nothing stays set that heal must undo.
    enter: `echo maintenance=hb_standby\n${hbTool('hb_standby')}`,
    leave: () => null,
    describe: 'hb_standby on the active node',
  }),
  failsBack: (config) =>
    config.heartbeat?.autoFailback
      ? {returns: true, why: 'heartbeat auto_failback on'}
      : {returns: false, why: 'heartbeat auto_failback off: resources stay on the node holding them'},
  failbackPrepare: 'systemctl stop heartbeat',
  failbackInject: 'systemctl reset-failed heartbeat 2>/dev/null || true\nsystemctl start heartbeat',
  detectionBoundMs: (config) => (config.heartbeat?.deadtime ?? 5) * 1000,
  detectionBoundWhy: (config) => `deadtime ${config.heartbeat?.deadtime ?? 5} s`,
  peerChannels: (config) => [drbdChannel(config), {proto: 'udp', port: config.heartbeat?.udpPort ?? 694, what: 'heartbeat'}],
}

/** corosync 3 defaults: token 3000 ms, consensus 1.2 x token. */
const COROSYNC_TOKEN_MS = 3000

const pacemaker: DrillStack = {
  stack: 'pacemaker',
  haUnit: 'pacemaker',
  // Killing corosync (membership) is what takes a node out from under pacemaker at once.
  haProcess: 'corosync',
  startHa: 'systemctl reset-failed corosync pacemaker 2>/dev/null || true\nsystemctl start corosync pacemaker',
  stopHa: 'systemctl stop pacemaker',
  killHa: 'pkill -KILL -x corosync',
  servesNfs: true,
  maintenance: () => ({
    enter: 'crm node standby "$(uname -n)"\necho maintenance=standby',
    leave: () => 'crm node online "$(uname -n)"',
    describe: 'crm node standby on the active node',
  }),
  failsBack: (config) =>
    (config.pacemaker?.stickiness ?? 100) > 0
      ? {returns: false, why: `resource-stickiness ${config.pacemaker?.stickiness ?? 100}: resources stay where they run`}
      : {returns: true, why: 'resource-stickiness 0: resources return to the preferred node'},
  failbackPrepare: 'crm node standby "$(uname -n)"',
  failbackInject: 'crm node online "$(uname -n)"',
  detectionBoundMs: () => COROSYNC_TOKEN_MS + Math.round(COROSYNC_TOKEN_MS * 1.2),
  detectionBoundWhy: () => 'corosync token 3 s + consensus 3.6 s',
  peerChannels: (config) => [drbdChannel(config), {proto: 'udp', port: config.pacemaker?.port ?? 5405, what: 'corosync'}],
}

const lvs: DrillStack = {
  ...keepalived,
  stack: 'lvs',
  // LVS directors serve HTTP through real servers, not NFS from DRBD: the client-writer drills do not apply.
  servesNfs: false,
}

const TABLE: Record<Stack, DrillStack> = {keepalived, heartbeat, pacemaker, lvs}

export function drillStack(stack: Stack): DrillStack {
  return TABLE[stack]
}
