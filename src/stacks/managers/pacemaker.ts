/**
 * Corosync + Pacemaker (seed 002): pacemaker's drbd clone owns the DRBD role and the mount, and
 * starts DRBD itself (DRBD's boot service stays disabled). Its steps are not built yet
 * (descriptor `ready: false`); validation, preflight and the drills know it already.
 */
import {pacemakerSchema} from '../../config/schema.js'
import type {HaManager} from '../types.js'

/** corosync 3 defaults: token 3000 ms, consensus 1.2 x token. */
const COROSYNC_TOKEN_MS = 3000
const PCSD_PORT = 2224

export const pacemakerManager: HaManager = {
  id: 'pacemaker',
  title: 'corosync + pacemaker',
  section: 'pacemaker',
  sectionRequired: false,
  sectionDefaults: () => pacemakerSchema.parse({}),
  packages: ['pacemaker'],
  haUnit: 'pacemaker',
  // pcsd only where the cluster is managed with pcs; a unit that is not there reports as such.
  units: ['corosync', 'pacemaker', 'pcsd'],
  configFiles: [], // its steps, which write corosync.conf and the authkey, are not built yet
  // Killing corosync (membership) is what takes a node out from under pacemaker at once.
  haProcess: 'corosync',
  startHa: 'systemctl reset-failed corosync pacemaker 2>/dev/null || true\nsystemctl start corosync pacemaker',
  stopHa: 'systemctl stop pacemaker',
  killHa: 'pkill -KILL -x corosync',
  ownsDrbdRole: true,
  drbdUpAtBoot: false,
  needsExactNameResolution: true,
  selinux: {clusterDaemons: true, keepalivedScripts: false},
  peerChannels: (config) => {
    const port = config.pacemaker?.port ?? 5405
    const transport = config.pacemaker?.transport ?? 'knet'
    return [
      // corosync 2's udpu also sends on mcastport - 1; knet uses only its own port per link.
      {proto: 'udp', port: transport === 'udpu' ? [port - 1, port] : port, what: `corosync (${transport})`, via: 'replication', configPath: 'pacemaker.port', required: true},
      {proto: 'tcp', port: PCSD_PORT, what: 'pcsd', via: 'address', required: false, note: 'only when the cluster is managed with pcs', keepOnIsolate: true},
    ]
  },
  detectionBoundMs: () => COROSYNC_TOKEN_MS + Math.round(COROSYNC_TOKEN_MS * 1.2),
  detectionBoundWhy: () => 'corosync token 3 s + consensus 3.6 s',
  maintenance: () => ({
    enter: 'crm node standby "$(uname -n)"\necho maintenance=standby',
    leave: () => 'crm node online "$(uname -n)"',
    describe: 'crm node standby on the active node',
  }),
  failsBack: (config) =>
    (config.pacemaker?.stickiness ?? 100) > 0
      ? {returns: false, why: `resource-stickiness ${config.pacemaker?.stickiness ?? 100}: resources stay where they run`}
      : {returns: true, why: 'resource-stickiness 0: resources return to the preferred node'},
  switchover: () => ({supported: false, why: 'the pacemaker stacks have no steps yet, so hapair cannot move their resources; use `crm resource move` (or `pcs resource move`) by hand'}),
  failbackPrepare: 'crm node standby "$(uname -n)"',
  failbackInject: 'crm node online "$(uname -n)"',
}
