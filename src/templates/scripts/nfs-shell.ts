/**
 * Shell functions that serve NFS from the DRBD filesystem and stop serving it: shared by the
 * keepalived notify script and heartbeat's NFS resource script, so both move the NFS state the same
 * way (docs/nfs-failover.md). They need SHELL_LIB's log, run and probes, and the settings block.
 */
import {sh} from './ha-params.js'

export const NFS_SHELL_LIB = sh`# Takes the transition lock (fd 9) for this call, waiting up to LOCK_WAIT_S for the one before it.
take_lock() {
  [ -d "$RUN_DIR" ] || mkdir -p "$RUN_DIR"
  exec 9>>"$LOCK"
  if ! flock -w "$LOCK_WAIT_S" 9; then
    log "another transition held $LOCK for $LOCK_WAIT_S s; giving up this one"
    return 1
  fi
}

# One systemctl call for all of them: stopping a unit that is not running costs nothing, and each
# program started costs a noticeable fraction of a second on a slow node.
stop_units() {
  run 90 systemctl stop "$@" || { log "could not stop $*"; return 1; }
}

# unmount PATH: retries for a grace period, then kills the processes using that filesystem.
# fuser -M acts only if PATH is a mount point, so it can never kill users of the root filesystem.
unmount() {
  local path=$1 i
  for ((i = 0; i < UMOUNT_GRACE_S; i++)); do
    mounted_at "$path" || return 0
    run 10 umount "$path" && return 0
    sleep 1
  done
  mounted_at "$path" || return 0
  log "$path still busy after $UMOUNT_GRACE_S s; killing the processes using it:"
  timeout -k 2 10 fuser -vm "$path" >>"$LOG" 2>&1 9>&-
  timeout -k 2 10 fuser -k -M -m "$path" >>"$LOG" 2>&1 9>&-
  sleep 1
  run 10 umount "$path" && return 0
  log "could not unmount $path"
  return 1
}

# /var/lib/nfs (v4 client records in nfsdcld/nfsdcltrack/v4recovery, statd's monitor list, rmtab)
# must be the same on whichever node serves, or clients lose their locks and opens at a failover.
# It is kept on the DRBD filesystem and bind-mounted over /var/lib/nfs here. A bind, not a symlink:
# on the standby /var/lib/nfs stays an ordinary local directory the rpc tools and package scripts
# can use, where a symlink would dangle while the filesystem is mounted on the other node.
bind_nfs_state() {
  local pipefs=no
  state_bound && return 0
  if [ ! -d "$STATE_DIR" ]; then
    log "first start: seeding $STATE_DIR from the local $NFS_LIB"
    mkdir -p "$STATE_DIR" || return 1
    chmod 0755 "$STATE_DIR"
    find "$NFS_LIB" -mindepth 1 -maxdepth 1 ! -name rpc_pipefs -exec cp -a {} "$STATE_DIR/" \; || { log "seeding $STATE_DIR failed"; return 1; }
    mkdir -p "$STATE_DIR/rpc_pipefs"
  fi
  # Daemons holding files in the local copy must reopen them in the replicated one.
  # shellcheck disable=SC2086 # a list of unit names
  stop_units "$NFS_UNIT" $NFS_STATE_UNITS || return 1
  # EL mounts rpc_pipefs under /var/lib/nfs (Debian 12 uses /run/rpc_pipefs): mount it again on top.
  mounted_at "$NFS_LIB/rpc_pipefs" && pipefs=yes
  run 10 mount --bind "$STATE_DIR" "$NFS_LIB" || { log "bind $STATE_DIR on $NFS_LIB failed"; return 1; }
  if [ "$pipefs" = yes ]; then
    run 10 mount -t rpc_pipefs sunrpc "$NFS_LIB/rpc_pipefs" || log "warning: could not mount rpc_pipefs on $NFS_LIB/rpc_pipefs"
  fi
  log "NFS state: $NFS_LIB is $STATE_DIR"
}

# NFSv3 clients reclaim their locks when told the server restarted; -f because statd sends its
# notices once per boot by itself. A client's statd matches a notice by the name in it or by its
# sender's address (nfs-utils, statd/callback.c), so it must come from the VIP the clients mounted:
# -v VIP binds sm-notify to it. But sm-notify never sends an address as its name: given one, it
# looks the address's name up (getnameinfo, NI_NAMEREQD) and exits "my_name ... is unusable" when
# there is none (statd/sm-notify.c), as on a LAN without reverse DNS for the VIP. So where
# $HOSTS_FILE names no VIP, sm-notify runs in a mount namespace of its own whose $HOSTS_FILE is the
# node's with "VIP $VIP_NAME" added: nothing changes on the node, and the name only travels as the
# notice's mon_name. (A name in DNS alone is fine too: the node's own lines come first.)
notify_nfs_clients() {
  local hosts="$RUN_DIR/sm-notify-hosts" line named=no
  command -v sm-notify >/dev/null || return 0
  if [ -r "$HOSTS_FILE" ]; then
    while read -r line; do
      [[ $line == "$VIP"[[:blank:]]* ]] && { named=yes; break; }
    done <"$HOSTS_FILE"
  fi
  if [ "$named" = yes ]; then
    run 30 sm-notify -f -v "$VIP" || log "warning: sm-notify failed"
    return 0
  fi
  [ -d "$RUN_DIR" ] || mkdir -p "$RUN_DIR"
  {
    [ -r "$HOSTS_FILE" ] && while IFS= read -r line || [ -n "$line" ]; do printf '%s\n' "$line"; done <"$HOSTS_FILE"
    printf '%s %s\n' "$VIP" "$VIP_NAME"
  } >"$hosts" || { log "warning: cannot write $hosts; NFSv3 clients are not told to reclaim their locks"; return 0; }
  # shellcheck disable=SC2016 # expanded by the inner bash
  run 30 unshare --mount --propagation private -- /bin/bash -c 'mount --bind "$1" "$2" && exec sm-notify -f -v "$3"' sm-notify "$hosts" "$HOSTS_FILE" "$VIP" ||
    log "warning: sm-notify failed"
}

start_nfs() {
  if ! nfsd_running; then
    # restart, not start: the unit may be "active" with no nfsd threads (see nfsd_running).
    run 90 systemctl restart "$NFS_UNIT" || { log "could not start $NFS_UNIT"; return 1; }
    notify_nfs_clients
  fi
  run 30 exportfs -ra || { log "exportfs -ra failed"; return 1; }
  log "NFS server running; exports loaded"
}

# Stops the NFS server and the daemons holding files in the replicated state, then makes
# /var/lib/nfs the local directory again.
stop_nfs() {
  if state_bound; then
    # shellcheck disable=SC2086 # a list of unit names
    stop_units "$NFS_UNIT" $NFS_STATE_UNITS || return 1
    # A pipefs mounted on top of the bind is the one bind_nfs_state added; the original is below.
    if mounted_at "$NFS_LIB/rpc_pipefs"; then run 10 umount -l "$NFS_LIB/rpc_pipefs"; fi
    unmount "$NFS_LIB" || return 1
    log "NFS state: $NFS_LIB is local again"
  elif unit_active "$NFS_UNIT"; then
    stop_units "$NFS_UNIT" || return 1
  fi
}
`
