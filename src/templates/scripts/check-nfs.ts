/**
 * keepalived's `vrrp_script chk_nfs`: the seed's check_nfs.sh (restart NFS once, then give up
 * the VIP), made safe to run every two seconds on both nodes.
 */
import type {ClusterConfig} from '../../config/schema.js'
import type {PackageFamily} from '../../distro/family.js'
import {HA_SCRIPT_PATH_LINE, SHELL_LIB, haScriptParams, settingsBlock, sh} from './ha-params.js'

/**
 * Seconds after keepalived called notify master during which the check does not fail a node that
 * holds the VIP without the service: the call is on its way to the lock (once it holds the lock
 * the check does not judge at all). Generous: on a loaded node the start took over 2 s.
 */
export const TAKEOVER_START_S = 20

/** Seconds between "the standby still holds DRBD/the mount" warnings in the log. */
export const STANDBY_WARN_EVERY_S = 60

export function renderCheckScript(config: ClusterConfig, family: PackageFamily): string {
  const p = haScriptParams(config, family)
  return sh`#!/bin/bash
# shellcheck disable=SC2034,SC2317 # settings and functions shared with notify.sh, used in part here
# managed by hapair (cluster ${config.name}): keepalived vrrp_script chk_nfs.
# Exit 0 = healthy, non-zero = failing; after "fall" failures keepalived puts this node in FAULT
# (weight 0), removes the VIP and runs "notify.sh fault", which releases NFS, the mount and DRBD
# so the peer can take over.
#
# Only the node holding the VIP is judged. A standby has NFS stopped and the filesystem on the
# peer, by design; failing there would put the standby in FAULT, and a FAULT node cannot take
# over when the master dies: the check would break the very failover it exists for.
# The seed's check stopped keepalived itself on failure; here keepalived stays up, so the node
# keeps watching and comes back as a standby once it is healthy.
set -u -o pipefail
${HA_SCRIPT_PATH_LINE}

${settingsBlock(p)}
ACTION=check
STANDBY_WARN_EVERY_S=${STANDBY_WARN_EVERY_S}
TAKEOVER_START_S=${TAKEOVER_START_S}

${SHELL_LIB}
trap wait EXIT # for log's syslog lines
[ -d "$RUN_DIR" ] || mkdir -p "$RUN_DIR"
# A transition (notify.sh) is running: the service is half-built or half-released, so there is
# nothing to judge yet. Counting as healthy lets the transition finish.
exec 9>>"$LOCK"
flock -n 9 || exit 0

# This node gave up recently (NFS would not start, or a takeover failed): stay in FAULT for a
# while so a broken node does not take the VIP straight back from a healthy peer.
if [ -f "$GAVE_UP" ]; then
  since=$(cat "$GAVE_UP" 2>/dev/null || echo 0)
  if [ $(($(date +%s) - since)) -lt "$GIVE_UP_HOLD_S" ]; then exit 1; fi
  rm -f "$GAVE_UP"
  log "hold-down of $GIVE_UP_HOLD_S s over: this node may serve again"
fi

if ! holds_vip; then
  if is_primary || data_mounted; then
    stamp="$RUN_DIR/standby-warned"
    if [ ! -f "$stamp" ] || [ $(($(date +%s) - $(stat -c %Y "$stamp" 2>/dev/null || echo 0))) -ge "$STANDBY_WARN_EVERY_S" ]; then
      touch "$stamp"
      log "warning: standby still holds DRBD Primary or $MP (a release failed?); the peer cannot promote until it is released"
    fi
  fi
  exit 0
fi

# Holding the VIP: DRBD must be Primary, the filesystem mounted, nfsd running.
if ! is_primary || ! data_mounted; then
  # keepalived called notify master moments ago and that call has not taken the lock yet (it
  # starts through systemd-run): a takeover on its way, nothing to judge.
  called=0
  read -r called 2>/dev/null <"$MASTER_CALLED" # (stderr first: a missing file is no error here)
  if [ $((EPOCHSECONDS - $\{called:-0})) -lt "$TAKEOVER_START_S" ] 2>/dev/null; then exit 0; fi
  # No give-up marker: "fall" consecutive failures are needed before keepalived acts.
  log "holds the VIP but DRBD is not Primary or $DEV is not mounted on $MP"
  exit 1
fi
nfsd_running && exit 0

log "NFS server is not running: restarting it once"
run 30 systemctl restart "$NFS_UNIT"
run 15 exportfs -ra
sleep 1
if nfsd_running; then
  log "NFS server restarted"
  exit 0
fi
date +%s >"$GAVE_UP"
log "NFS server still not running after a restart: giving up the VIP (FAULT) for $GIVE_UP_HOLD_S s"
exit 1
`
}
