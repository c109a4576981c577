/**
 * The NFS half of the NFS + heartbeat stack (seed 004), done right:
 *
 * - `hapair-nfs`, the haresources resource after drbddisk and Filesystem, replaces the seed's
 *   `killnfsd` ("pkill -9 nfs; systemctl restart nfs"): start binds the NFS state kept on the DRBD
 *   filesystem over /var/lib/nfs and starts the server; stop stops it cleanly and unbinds, so
 *   Filesystem can unmount and drbddisk can demote. The same shell as the keepalived notify script
 *   (nfs-shell.ts), the same choices (docs/nfs-failover.md).
 * - a monitor (seed 004's lesson: heartbeat does not watch NFS), run by a systemd unit hapair
 *   owns: on the node where hapair-nfs started, a dead NFS server is restarted once; if it stays
 *   dead, the node hands the resources to its peer with hb_standby (the seed stopped heartbeat,
 *   which also stops watching).
 */
import type {ClusterConfig} from '../../config/schema.js'
import type {PackageFamily} from '../../distro/family.js'
import {HB_TOOL_DIRS} from '../../facts/heartbeat.js'
import {RESOURCE_D} from '../heartbeat.js'
import {HA_SCRIPT_PATH_LINE, SHELL_LIB, haScriptParams, settingsBlock, sh} from './ha-params.js'
import {NFS_SHELL_LIB} from './nfs-shell.js'
import {LOCK_WAIT_S, UMOUNT_GRACE_S} from './notify.js'

/** The resource's name in haresources, and its script. */
export const NFS_RESOURCE = 'hapair-nfs'
export const NFS_RESOURCE_PATH = `${RESOURCE_D}/${NFS_RESOURCE}`
export const HB_SCRIPT_DIR = '/etc/ha.d/hapair'
export const NFS_MONITOR_PATH = `${HB_SCRIPT_DIR}/nfs-monitor.sh`
export const NFS_MONITOR_UNIT = 'hapair-nfs-monitor.service'
export const NFS_MONITOR_UNIT_PATH = `/etc/systemd/system/${NFS_MONITOR_UNIT}`

/** The monitor looks every `interval` s and acts after `fall` failed looks; a restart may take `restartS`. */
export const MONITOR = {interval: 2, fall: 2, restartS: 30, holdS: 120} as const

/** Longest from NFS dying to the monitor handing the resources over: fall looks, then one restart attempt. */
export const NFS_MONITOR_BOUND_MS = (MONITOR.interval * MONITOR.fall + MONITOR.restartS) * 1000

function common(config: ClusterConfig, family: PackageFamily, action: string): string {
  return sh`set -u -o pipefail
${HA_SCRIPT_PATH_LINE}

${settingsBlock(haScriptParams(config, family))}
ACTION=${action}
UMOUNT_GRACE_S=${UMOUNT_GRACE_S}
LOCK_WAIT_S=${LOCK_WAIT_S}
# Present while ${NFS_RESOURCE} is started here (heartbeat gave this node the group); /run, so a reboot clears it.
ACTIVE_MARK="$RUN_DIR/nfs-active"

${SHELL_LIB}
${NFS_SHELL_LIB}`
}

export function renderNfsResourceScript(config: ClusterConfig, family: PackageFamily): string {
  return sh`#!/bin/bash
# shellcheck disable=SC2034,SC2317 # settings and functions shared with the keepalived scripts, used in part here
# managed by hapair (cluster ${config.name}): heartbeat resource "${NFS_RESOURCE}" (haresources),
# started after drbddisk and Filesystem and stopped before them.
#
#   start   NFS state on the DRBD filesystem bound over /var/lib/nfs, NFS server started,
#           NFSv3 clients told to reclaim their locks, exports loaded.
#   stop    NFS server and the daemons using the state stopped, /var/lib/nfs local again, so
#           Filesystem can unmount and drbddisk can demote.
#   status  "running" while nfsd runs with the replicated state bound in, else "stopped".
#
# Each step looks before it acts: a repeated call changes nothing. The NFS monitor takes the same
# lock, so it never restarts NFS in the middle of a start or stop.
${common(config, family, '$\{1:-}')}
trap wait EXIT # for log's syslog lines
case $ACTION in
  status)
    if state_bound && nfsd_running; then echo running; exit 0; fi
    echo stopped
    exit 3
    ;;
  start | stop) ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac

take_lock || exit 1
log "begin"
if [ "$ACTION" = start ]; then
  # Filesystem starts before this resource: without the mount, NFS would export the root disk.
  if ! data_mounted; then
    log "REFUSED: $DEV is not mounted on $MP (Filesystem starts before ${NFS_RESOURCE})"
    rc=1
  elif bind_nfs_state && start_nfs; then
    touch "$ACTIVE_MARK"
    log "serving: NFS up on $MP"
    rc=0
  else
    rc=1
  fi
else
  # First, so the monitor stops watching before NFS goes down.
  rm -f "$ACTIVE_MARK"
  stop_nfs
  rc=$?
  [ "$rc" -eq 0 ] && log "released: NFS stopped, $NFS_LIB local again"
fi
log "end (exit $rc)"
exit "$rc"
`
}

export function renderNfsMonitorScript(config: ClusterConfig, family: PackageFamily): string {
  return sh`#!/bin/bash
# shellcheck disable=SC2034,SC2317 # settings and functions shared with the keepalived scripts, used in part here
# managed by hapair (cluster ${config.name}): the NFS monitor heartbeat lacks (seed 004's lesson).
# Run by ${NFS_MONITOR_UNIT} on both nodes; it judges only the node where ${NFS_RESOURCE} started.
# NFS down for ${MONITOR.fall} looks ${MONITOR.interval} s apart: restart it once; still down: hand the
# resources to the peer (hb_standby) and leave this node alone for ${MONITOR.holdS} s.
# "nfs-monitor.sh once" looks once and exits (for a person, and for tests).
${common(config, family, 'monitor')}
INTERVAL=${MONITOR.interval}
FALL=${MONITOR.fall}
HOLD_S=${MONITOR.holdS}
FAILED="$RUN_DIR/nfs-monitor-failed"
HOLD="$RUN_DIR/nfs-monitor-hold"

hb_standby() {
  local d
  for d in ${HB_TOOL_DIRS.join(' ')}; do
    if [ -x "$d/hb_standby" ]; then run 60 "$d/hb_standby" all; return; fi
  done
  log "hb_standby not found: cannot hand the resources over"
  return 1
}

# One look. Not the serving node, a start or stop holding the lock, or a hand-over in its
# hold-down: nothing to judge. The count of failed looks is kept in a file, so "once" counts too.
# On the healthy path only systemctl starts (state_bound reads the mount table, nfsd_running): every program
# costs a slow node a noticeable fraction of a second, every two seconds.
look() {
  local n since
  if [ -f "$HOLD" ]; then
    since=$(cat "$HOLD" 2>/dev/null || echo 0)
    [ $(($(date +%s) - since)) -lt "$HOLD_S" ] && return 0
    rm -f "$HOLD"
  fi
  # Healthy is the common case: judged without the lock (no flock started every look).
  if [ ! -e "$ACTIVE_MARK" ] || { state_bound && nfsd_running; }; then
    [ ! -e "$FAILED" ] || rm -f "$FAILED"
    return 0
  fi
  flock -n 9 || return 0
  # Judged again under the lock: a stop that just finished has removed the mark.
  if [ ! -e "$ACTIVE_MARK" ] || { state_bound && nfsd_running; }; then
    flock -u 9
    return 0
  fi
  n=$(($(cat "$FAILED" 2>/dev/null || echo 0) + 1))
  if [ "$n" -lt "$FALL" ]; then
    echo "$n" >"$FAILED"
    flock -u 9
    return 0
  fi
  rm -f "$FAILED"
  log "NFS is not running on the serving node: restarting it once"
  if bind_nfs_state && start_nfs && nfsd_running; then
    log "NFS server restarted"
    flock -u 9
    return 0
  fi
  log "NFS still not running after a restart: handing the resources to the peer (hb_standby); not judging for $HOLD_S s"
  date +%s >"$HOLD"
  # The lock is released first: hb_standby makes heartbeat run "${NFS_RESOURCE} stop", which takes it.
  flock -u 9
  hb_standby || log "hb_standby failed: this node keeps the resources without NFS"
}

trap wait EXIT # for log's syslog lines
[ -d "$RUN_DIR" ] || mkdir -p "$RUN_DIR"
exec 9>>"$LOCK"
if [ "$\{1:-}" = once ]; then
  look
  exit 0
fi
while :; do
  sleep "$INTERVAL"
  look
done
`
}

export function renderNfsMonitorUnit(config: ClusterConfig): string {
  return `# managed by hapair (cluster ${config.name}): watches NFS where heartbeat started ${NFS_RESOURCE}.
[Unit]
Description=hapair NFS monitor for heartbeat (restart NFS, else hand over with hb_standby)
After=heartbeat.service

[Service]
ExecStart=${NFS_MONITOR_PATH}
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
`
}
