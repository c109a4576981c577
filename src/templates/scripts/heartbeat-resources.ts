/**
 * hapair's own haresources scripts for the VIP and the DRBD filesystem: `hapair-vip` and
 * `hapair-fs`, in place of the seeds' `IPaddr` and `Filesystem`.
 *
 * Why not the resource-agents ones: under heartbeat every takeover runs `status` of each resource
 * before it starts them, then `start` (a release: `stop`), and each call of the OCF IPaddr2 or
 * Filesystem agent sources the OCF shell library and starts dozens of programs. Measured on the
 * lab's emulated guests: 4-6 s per call, so a clean stop-ha took 60 s to release and 50 s to
 * acquire (client stall 111 s), where the bare commands take about 3 s. IPaddr also needs
 * ifconfig, which current distributions no longer install. These scripts do the same work with
 * the keepalived stack's shell (ha-params.ts, nfs-shell.ts, notify.ts's STORAGE_SHELL_LIB): the same refusals, the same log.
 *
 * Both take no arguments (haresources names them bare): what they act on is in their settings
 * block, written from the cluster file like the hapair-nfs script. heartbeat's contract: start
 * and stop exit 0 on success and may be repeated; status prints "running" or "stopped".
 */
import type {ClusterConfig} from '../../config/schema.js'
import type {PackageFamily} from '../../distro/family.js'
import {HB_TOOL_DIRS} from '../../facts/heartbeat.js'
import {FS_RESOURCE, RESOURCE_D, VIP_RESOURCE} from '../heartbeat.js'
import {HA_SCRIPT_PATH_LINE, SHELL_LIB, haScriptParams, settingsBlock, sh} from './ha-params.js'
import {NFS_SHELL_LIB} from './nfs-shell.js'
import {LOCK_WAIT_S, STORAGE_SHELL_LIB, UMOUNT_GRACE_S} from './notify.js'

export const VIP_RESOURCE_PATH = `${RESOURCE_D}/${VIP_RESOURCE}`
export const FS_RESOURCE_PATH = `${RESOURCE_D}/${FS_RESOURCE}`

/**
 * What both scripts share: settings, the HA shell, heartbeat's usage contract, and `status`
 * answered from `running` (a read-only shell condition) before anything is logged or changed.
 */
function header(config: ClusterConfig, family: PackageFamily, name: string, what: string, running: string): string {
  return sh`#!/bin/bash
# shellcheck disable=SC2034,SC2317 # settings and functions shared with the other HA scripts, used in part here
# managed by hapair (cluster ${config.name}): heartbeat resource "${name}" (haresources): ${what}
set -u -o pipefail
${HA_SCRIPT_PATH_LINE}

${settingsBlock(haScriptParams(config, family))}
PREFIX=${config.vip.prefix}
ACTION=$\{1:-}
UMOUNT_GRACE_S=${UMOUNT_GRACE_S}
LOCK_WAIT_S=${LOCK_WAIT_S}

${SHELL_LIB}
${NFS_SHELL_LIB}
${STORAGE_SHELL_LIB}
trap wait EXIT # for log's syslog lines
case $ACTION in start | stop | status) ;; *)
  echo "usage: $0 start|stop|status" >&2
  exit 2
  ;;
esac
if [ "$ACTION" = status ]; then
  if ${running}; then echo running; exit 0; fi
  echo stopped
  exit 3
fi
`
}

/** `hapair-vip`: the VIP on its interface, announced with gratuitous ARP (heartbeat's send_arp). */
export function renderVipResourceScript(config: ClusterConfig, family: PackageFamily): string {
  return sh`${header(config, family, VIP_RESOURCE, 'the VIP, first to start and last to stop', 'holds_vip')}
log "begin ($VIP/$PREFIX on $IFACE)"
rc=0
if [ "$ACTION" = start ]; then
  if ! holds_vip; then
    run 10 ip addr add "$VIP/$PREFIX" dev "$IFACE" || rc=1
  fi
  if [ "$rc" -eq 0 ]; then
    # Neighbours still send to the old holder's MAC until told: five announcements, 200 ms apart,
    # in the background (heartbeat's own send_arp, as IPaddr2 uses it).
    for d in ${HB_TOOL_DIRS.join(' ')}; do
      if [ -x "$d/send_arp" ]; then
        timeout -k 2 5 "$d/send_arp" -i 200 -r 5 "$IFACE" "$VIP" auto not_used not_used >>"$LOG" 2>&1 9>&- &
        break
      fi
    done
  fi
elif holds_vip; then
  run 10 ip addr del "$VIP/$PREFIX" dev "$IFACE" || rc=1
fi
log "end (exit $rc)"
exit "$rc"
`
}

/**
 * `hapair-fs`: the DRBD device mounted on the mount point, only while this node is Primary
 * (drbddisk starts before it); unmounted on stop, killing what still holds it after a grace.
 */
export function renderFsResourceScript(config: ClusterConfig, family: PackageFamily): string {
  return sh`${header(config, family, FS_RESOURCE, 'the DRBD filesystem, after drbddisk and before the service', 'data_mounted')}
log "begin ($DEV on $MP)"
if [ "$ACTION" = start ]; then
  if ! is_primary; then
    log "REFUSED: DRBD $RES is not Primary here (drbddisk starts before ${FS_RESOURCE})"
    rc=1
  else
    mount_data
    rc=$?
  fi
else
  unmount "$MP"
  rc=$?
fi
log "end (exit $rc)"
exit "$rc"
`
}
