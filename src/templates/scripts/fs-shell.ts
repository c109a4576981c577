/**
 * Mounting the DRBD filesystem: shared by the keepalived notify script and heartbeat's `hapair-fs`
 * resource, so both refuse the same things (another filesystem on the mount point, a device that
 * never appeared). Needs SHELL_LIB's log, run and mount-table probes, and the settings block.
 */
import {sh} from './ha-params.js'

export const FS_SHELL_LIB = sh`mount_data() {
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
`
