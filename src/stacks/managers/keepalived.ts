/**
 * keepalived as an HA manager: VRRP elects the node that holds the VIP; notify scripts (written
 * by the served service's steps) move the service with it. It has no fencing and does not own
 * DRBD in the sense of a resource agent: its notify script promotes and demotes.
 */
import {shq} from '../../facts/fact.js'
import {KEEPALIVED_CONF_PATH, KEEPALIVED_DROPIN_PATH, KEEPALIVED_SECRET_KEYS} from '../../templates/keepalived.js'
import {nodePriorities} from '../preferred-node.js'
import type {ConfigProblem} from '../../errors.js'
import {isIPv4} from '../../config/net.js'
import type {HaManager, LooseConfig} from '../types.js'
import {systemdUnitControl} from './systemd-unit.js'

export const VRRP_MULTICAST_GROUP = '224.0.0.18'

export const keepalivedManager: HaManager = {
  id: 'keepalived',
  title: 'keepalived (VRRP)',
  section: 'keepalived',
  sectionRequired: true,
  packages: ['keepalived'],
  haUnit: 'keepalived',
  units: ['keepalived'],
  configFiles: [{path: KEEPALIVED_CONF_PATH, secretKeys: KEEPALIVED_SECRET_KEYS}, {path: KEEPALIVED_DROPIN_PATH}],
  haProcess: 'keepalived',
  ...systemdUnitControl('keepalived'),
  killHa: 'pkill -KILL -x keepalived',
  ownsDrbdRole: false,
  drbdUpAtBoot: true,
  needsExactNameResolution: false,
  selinux: {clusterDaemons: false, keepalivedScripts: true},
  rules: mcastGroupRules,
  peerChannels: (config) => {
    const multicast = config.keepalived ? !config.keepalived.unicast : false
    const group = config.keepalived?.mcastGroup ?? VRRP_MULTICAST_GROUP
    return [
      {
        proto: 'vrrp',
        what: 'keepalived VRRP',
        via: 'address',
        multicast,
        ...(multicast && {group}),
        required: true,
        note: multicast ? `adverts go to the multicast group ${group}` : 'adverts are unicast from the peer',
      },
    ]
  },
  /**
   * VRRP master-down interval: 3 adverts plus the skew time (256 - priority) / 256 adverts, for the
   * standby's priority (RFC 3768). A clean stop is faster: the master sends priority 0 on its way out.
   */
  detectionBoundMs(config) {
    const advert = config.keepalived?.advertInt ?? 1
    const lowest = Math.min(...Object.values(nodePriorities(config)))
    return Math.ceil((3 * advert + ((256 - lowest) / 256) * advert) * 1000)
  },
  detectionBoundWhy: (config) => `3 x advert_int (${config.keepalived?.advertInt ?? 1} s) + skew`,
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
  /**
   * A graceful stop is keepalived's clean release: the master sends a priority-0 advert (the peer
   * takes over at once, no master-down wait) and notify_stop (and the unit's ExecStopPost) stop
   * NFS, unmount and demote. Started again it comes back as BACKUP (both nodes are configured
   * BACKUP) and stays so under nopreempt or when the peer has the higher priority; with preempt
   * and the higher priority it would take the VIP straight back, so it is left stopped.
   */
  switchover(config, from, to) {
    const prio = nodePriorities(config)
    const preempt = config.keepalived?.preempt ?? true
    const held = preempt && prio[from] > prio[to]
    const control = systemdUnitControl('keepalived')
    return {
      supported: true,
      release: control.stopHa,
      rejoin: held ? null : control.startHa,
      describe: held
        ? 'a graceful `systemctl stop keepalived` on the active node (priority-0 advert; notify_stop releases NFS, the mount and DRBD); it stays stopped'
        : 'a graceful `systemctl stop keepalived` on the active node (priority-0 advert; notify_stop releases NFS, the mount and DRBD), then `systemctl start keepalived` there so it rejoins as BACKUP',
      ...(held
        ? {held: `keepalived stays stopped on ${from}: preempt is on and ${from} has the higher priority (${prio[from]} > ${prio[to]}), so it would take the VIP back as soon as it rejoined; \`hapair switchover --to ${from}\` brings the service back`}
        : {}),
    }
  },
  failsBack: (config) =>
    (config.keepalived?.preempt ?? true)
      ? {returns: true, why: 'keepalived preempt: the higher priority takes the VIP back'}
      : {returns: false, why: 'keepalived nopreempt: the VIP stays where it is'},
}

/** A group outside 224.0.0.0/4 is an ordinary address; under unicast the group would be ignored. */
function mcastGroupRules(c: LooseConfig): ConfigProblem[] {
  const ka = c.keepalived
  if (!ka || typeof ka.mcastGroup !== 'string' || !isIPv4(ka.mcastGroup)) return []
  if (ka.unicast !== false) return [{path: 'keepalived.mcastGroup', message: 'is used only with multicast VRRP, and keepalived.unicast is on', fix: 'set `unicast: false` to send adverts to the group, or remove `mcastGroup`'}]
  const first = Number(ka.mcastGroup.split('.')[0])
  if (first >= 224 && first <= 239) return []
  return [{path: 'keepalived.mcastGroup', message: `${ka.mcastGroup} is not a multicast address (224.0.0.0/4)`, fix: 'use a group such as `mcastGroup: 224.0.0.33` (seed 001), or leave it out for 224.0.0.18'}]
}
