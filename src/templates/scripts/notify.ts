/**
 * The keepalived notify script: what each VRRP transition does to DRBD, the mount and NFS.
 * The seed's four scripts (notify_master/backup/stop, check_nfs) done so that any call can be
 * repeated, overlapping calls run one at a time, every command is time-bounded, and every
 * transition is logged with a timestamp.
 */
import type {ClusterConfig} from '../../config/schema.js'
import type {PackageFamily} from '../../distro/family.js'
import {HA_LOG_PATH} from './paths.js'
import {HA_SCRIPT_PATH_LINE, SHELL_LIB, haScriptParams, settingsBlock, sh} from './ha-params.js'
import {NFS_SHELL_LIB} from './nfs-shell.js'

/** Seconds a new master waits for the old one to demote DRBD (or for a just-attached disk to be UpToDate) before refusing. */
export const PEER_WAIT_S = 30
/** Seconds of umount retries before users of the filesystem are killed (fuser -km). */
export const UMOUNT_GRACE_S = 5
/** Seconds a transition waits for the one before it to finish. */
export const LOCK_WAIT_S = 180

/**
 * Seconds a node that still serves waits, after its keepalived was restarted, to be elected
 * MASTER again before it releases: three adverts plus keepalived's skew and a second of slack.
 */
export function reclaimWaitS(config: ClusterConfig): number {
  return 3 * (config.keepalived?.advertInt ?? 1) + 2
}

/**
 * The notify script's own serve and release of the DRBD filesystem, shared with the bare handover
 * that `failover-test --floor` times (bare-handover.ts): one definition of each step. Needs
 * SHELL_LIB, NFS_SHELL_LIB and the settings block.
 */
export const STORAGE_SHELL_LIB = sh`# Local disk state: "UpToDate", "Consistent" (attached, peer not seen yet), "Outdated", ...
drbd_disk() {
  local out cs l p d
  if read -r cs l p d < <(proc_drbd_state); then
    echo "$d"
    return
  fi
  out=$(timeout -k 2 10 drbdadm dstate "$RES" 2>/dev/null) || out=''
  out=$\{out%%$'\n'*}
  echo "$\{out%%/*}"
}

mount_data() {
  local i current
  data_mounted && return 0
  source_at "$MP"
  current=$REPLY
  if [ -n "$current" ]; then
    log "REFUSED: $MP has $current mounted, not $DEV"
    return 1
  fi
  for ((i = 0; i < 20; i++)); do
    [ -b "$DEV" ] && break
    sleep 0.5
  done
  [ -b "$DEV" ] || { log "$DEV did not appear"; return 1; }
  mkdir -p "$MP"
  run 120 mount -t "$FSTYPE" "$DEV" "$MP" || { log "mount $DEV $MP failed"; return 1; }
  log "mounted $DEV on $MP"
}

# Stops serving NFS, unmounts every mount of the device (the mount point, and any bind someone
# else made of it), and demotes DRBD only once nothing of it is mounted.
release_storage() {
  local n target
  stop_nfs || return 1
  for ((n = 0; n < 10; n++)); do
    last_target_of "$DEV"
    target=$REPLY
    [ -n "$target" ] || break
    unmount "$target" || return 1
    log "unmounted $target"
  done
  last_target_of "$DEV"
  if [ -n "$REPLY" ]; then
    log "REFUSED: $DEV is still mounted on $REPLY; not demoting"
    return 1
  fi
  if is_primary; then
    run 30 drbdadm secondary "$RES" || { log "drbdadm secondary $RES failed"; return 1; }
    log "DRBD $RES is Secondary"
  fi
}
`

export function renderNotifyScript(config: ClusterConfig, family: PackageFamily): string {
  const p = haScriptParams(config, family)
  return sh`#!/bin/bash
# managed by hapair (cluster ${config.name}): keepalived notify script for the DRBD + NFS service.
# keepalived runs it as "notify.sh master|backup|fault|stop" on each VRRP transition.
#
#   master            DRBD Primary (refused while the peer is still Primary: no dual primary),
#                     mount, NFS state onto the DRBD filesystem, NFS server started, exports loaded.
#   backup|fault|stop NFS server stopped, NFS state and filesystem unmounted, DRBD Secondary.
#
# Each step looks before it acts, so a repeated call changes nothing. keepalived forks these
# calls and does not wait: a lock runs them one at a time, and since keepalived adds the VIP before
# notify_master and removes it before notify_backup/fault/stop (measured with 2.2.7), a call that
# finds the VIP in the other state was overtaken by a later transition and does nothing.
# Log: ${HA_LOG_PATH}, and syslog with the tag hapair-ha.
set -u -o pipefail
# keepalived signals the scripts it forked when it exits: a notify_stop must outlive it, at least
# until it has handed itself to systemd below (SIG_IGN survives that exec; the transient unit
# starts with default signal handling).
if [ -z "$\{HAPAIR_DETACHED:-}" ]; then trap '' TERM HUP INT; fi
${HA_SCRIPT_PATH_LINE}

${settingsBlock(p)}
ACTION=$\{1:-}
PEER_WAIT_S=${PEER_WAIT_S}
UMOUNT_GRACE_S=${UMOUNT_GRACE_S}
LOCK_WAIT_S=${LOCK_WAIT_S}
RECLAIM_WAIT_S=${reclaimWaitS(config)}
# The pid of the keepalived process that made this node master (see reclaimed_after_restart).
MASTER_PID_FILE="$RUN_DIR/master-keepalived-pid"

${SHELL_LIB}
${NFS_SHELL_LIB}
${STORAGE_SHELL_LIB}
# Brings the resource up if it is down (after a reboot, before drbd.service, ...).
ensure_drbd_up() {
  local l p
  read -r l p < <(drbd_roles)
  [ "$l" != Unconfigured ] && return 0
  log "DRBD resource $RES is not up: drbdadm adjust"
  run 60 drbdadm adjust "$RES" || { log "drbdadm adjust $RES failed"; return 1; }
}

become_primary() {
  local l p d ticks=0 said=''
  read -r l p < <(drbd_roles)
  if [ "$l" = Primary ]; then return 0; fi
  # Wait, bounded, until promoting is safe: the old master demotes in its own backup/stop call
  # (it may still be stopping NFS and unmounting), and a disk that was just attached is only
  # "Consistent" until DRBD has spoken to the peer (after a reboot, say) and knows it is UpToDate.
  # Never promote while the peer is Primary; never promote stale data.
  while :; do
    d=$(drbd_disk)
    [ "$p" != Primary ] && [ "$d" = UpToDate ] && break
    # keepalived adds the VIP before calling master and removes it before backup/fault/stop: a
    # VIP gone while waiting means a later transition overtook this one (the restarted preferred
    # node was elected again, say), and that transition, queued on the lock, decides now.
    if ! holds_vip; then
      log "this node no longer holds the VIP (a later transition overtook this one): not promoting"
      return 2
    fi
    if [ "$ticks" -ge $((PEER_WAIT_S * 4)) ]; then
      if [ "$p" = Primary ]; then
        log "REFUSED: the peer is still DRBD Primary after $PEER_WAIT_S s; not promoting (no dual primary)"
      else
        log "REFUSED: the local disk is $\{d:-unknown}, not UpToDate, after $PEER_WAIT_S s; not serving possibly stale data (drbdadm primary --force is a human decision)"
      fi
      return 1
    fi
    if [ "$p" = Primary ] && [ "$said" != peer ]; then
      log "the peer is still DRBD Primary; waiting up to $PEER_WAIT_S s for it to demote"
      said=peer
    elif [ "$p" != Primary ] && [ "$said" != disk ]; then
      log "the local disk is $\{d:-unknown}, not UpToDate; waiting up to $PEER_WAIT_S s for DRBD to reach the peer"
      said=disk
    fi
    # Four looks a second: the peer's demotion is seen within 0.25 s (each look reads /proc/drbd).
    sleep 0.25
    ticks=$((ticks + 1))
    read -r l p < <(drbd_roles)
  done
  if [ "$p" != Secondary ]; then
    log "the peer's DRBD role is $p (not connected) and the local disk is UpToDate: promoting on the assumption the peer is down"
  fi
  run 30 drbdadm primary "$RES" || { log "drbdadm primary $RES failed"; return 1; }
  log "DRBD $RES is Primary"
}

become_master() {
  if ! holds_vip; then
    log "this node no longer holds the VIP (a later transition overtook this one): nothing to do"
    return 0
  fi
  local rc
  ensure_drbd_up || return 1
  become_primary
  rc=$?
  [ "$rc" -eq 2 ] && return 0
  [ "$rc" -eq 0 ] || return 1
  mount_data && bind_nfs_state && start_nfs || return 1
  [ -n "$KA_PID" ] && echo "$KA_PID" >"$MASTER_PID_FILE"
  log "serving: DRBD Primary, $MP mounted, NFS up on $VIP"
}

# The keepalived process a call came from: the nearest of PID and its ancestors named keepalived
# (whether keepalived runs the script directly or through sh -c). Empty when run by hand.
caller_keepalived() {
  local pid=$1 comm stat i
  for ((i = 0; i < 4 && pid > 1; i++)); do
    read -r comm <"/proc/$pid/comm" 2>/dev/null || return 0
    if [ "$comm" = keepalived ]; then
      echo "$pid"
      return 0
    fi
    read -r stat <"/proc/$pid/stat" 2>/dev/null || return 0
    # "pid (comm) state ppid ...": the parent follows the state, after the name (which may hold blanks).
    read -r _ pid _ <<<"$\{stat##*) }"
  done
}

# A SIGKILLed or crashed keepalived is restarted by systemd within a second, comes back as
# BACKUP, drops the VIP and calls backup, while this node still serves. If this node is the one
# VRRP elects (highest priority, preempt), it is MASTER again a few seconds later; releasing in
# between would stop NFS, unmount, demote, and promote the peer or this node again: a one-second
# blip turned into half a minute of outage. So a backup call from a keepalived other than the one
# that made this node master waits, bounded, to be elected again, and releases only if it is not.
# The peer cannot promote meanwhile: DRBD refuses while this node is Primary.
reclaimed_after_restart() {
  local i recorded
  [ "$ACTION" = backup ] || return 1
  recorded=$(cat "$MASTER_PID_FILE" 2>/dev/null) || return 1
  [ -n "$recorded" ] && [ -n "$KA_PID" ] && [ "$recorded" != "$KA_PID" ] || return 1
  is_primary && data_mounted || return 1
  log "keepalived was restarted while this node serves: waiting up to $RECLAIM_WAIT_S s to be elected MASTER again before releasing"
  for ((i = 0; i < RECLAIM_WAIT_S * 4; i++)); do
    if holds_vip; then
      echo "$KA_PID" >"$MASTER_PID_FILE"
      log "MASTER again: keeping the service (nothing was released)"
      return 0
    fi
    sleep 0.25
  done
  log "not elected MASTER within $RECLAIM_WAIT_S s: releasing"
  return 1
}

release() {
  if holds_vip; then
    log "this node holds the VIP again (a later transition made it master): keeping the service"
    return 0
  fi
  reclaimed_after_restart && return 0
  release_storage || return 1
  log "released: NFS stopped, $MP unmounted, DRBD Secondary"
}

case $ACTION in
  master | backup | fault | stop) ;;
  *)
    echo "usage: $0 master|backup|fault|stop" >&2
    exit 2
    ;;
esac

# Run by systemd after keepalived.service stopped (ExecStopPost in hapair's drop-in): only a clean
# stop releases; a crashed or killed keepalived is restarted and judges for itself.
if [ -n "$\{SERVICE_RESULT:-}" ] && [ -z "$\{HAPAIR_DETACHED:-}" ] && [ "$SERVICE_RESULT" != success ]; then exit 0; fi

# The check script judges a node that holds the VIP without the service as failing, but a
# takeover looks exactly like that until its call below has taken the lock (starting it through
# systemd-run took over 2 s on a loaded node: two failed checks, FAULT, the VIP given up and taken
# again, ten seconds lost). So a master call says at once, with builtins only, that it is coming.
if [ "$ACTION" = master ] && [ -z "$\{HAPAIR_DETACHED:-}" ]; then printf '%s\n' "$EPOCHSECONDS" 2>/dev/null >"$MASTER_CALLED"; fi

# keepalived kills a notify script that is still running when it stops (measured with 2.2.7:
# "vrrp process failed to die - forcing termination" ~4 s into "systemctl stop keepalived"
# cut a release half-way, leaving /data mounted and DRBD Primary). So under systemd each
# transition runs as a transient unit of its own, outside keepalived's processes; the lock below
# still runs them one at a time.
if [ -z "$\{HAPAIR_DETACHED:-}" ] && [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then
  # Builtins only up to the exec (no $(...)): every fork widens the window in which keepalived,
  # exiting, can kill this call before it is handed over.
  case $0 in /*) self=$0 ;; *) self=$PWD/$0 ;; esac
  exec systemd-run --quiet --collect --no-block --unit "hapair-notify-$ACTION-$$-$RANDOM" \
    --setenv=HAPAIR_DETACHED=1 --setenv=HAPAIR_CALLER_PID="$PPID" /bin/bash "$self" "$ACTION"
fi

# Only now, after the hand-off: keepalived kills the scripts it forked when it exits, so nothing
# may delay the exec above (a notify_stop that lost that race never ran at all).
trap wait EXIT # for log's syslog lines
KA_PID=$(caller_keepalived "$\{HAPAIR_CALLER_PID:-$PPID}")
take_lock || exit 1
log "begin"
if [ "$ACTION" = master ]; then
  if become_master; then
    rc=0
  else
    rc=1
    # Tell the check script to hold this node in FAULT for a while, so the VIP goes to the peer
    # (which may still be able to serve) instead of staying here without a service.
    date +%s >"$GAVE_UP"
    log "FAILED to take over the service: this node goes to FAULT for $GIVE_UP_HOLD_S s so the peer can serve"
  fi
else
  release
  rc=$?
  [ "$rc" -eq 0 ] || log "FAILED to release the service: the peer cannot promote DRBD until this node is Secondary"
fi
log "end (exit $rc)"
exit "$rc"
`
}
