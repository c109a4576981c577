/**
 * The bare release and acquire of the NFS + keepalived stack, which `failover-test --floor` times
 * with the HA manager stopped on both nodes: the notify script's own shell functions (SHELL_LIB,
 * NFS_SHELL_LIB, STORAGE_SHELL_LIB), called in a row without keepalived's waits for the peer, so
 * the floor is what these very steps cost on these very nodes.
 *
 * Safety is the notify script's: release demotes only once nothing of the device is mounted
 * (release_storage); acquire promotes only while the peer is Secondary and the local disk
 * UpToDate, and refuses at once instead of waiting (the floor's runner has checked both sides
 * before it asks). Both take the transition lock, so they never overlap a notify call still
 * finishing after keepalived stopped; the time is taken after the lock.
 */
import type {ClusterConfig} from '../../config/schema.js'
import type {PackageFamily} from '../../distro/family.js'
import {HA_SCRIPT_PATH_LINE, SHELL_LIB, haScriptParams, settingsBlock, sh} from './ha-params.js'
import {NFS_SHELL_LIB} from './nfs-shell.js'
import {LOCK_WAIT_S, STORAGE_SHELL_LIB, UMOUNT_GRACE_S} from './notify.js'

/** The line a bare script ends with: its own time from after the lock to the end, in ms. */
export const FLOOR_MS_MARK = 'hapair-floor-ms='
/** Exit code of an acquire that refused (peer not Secondary, disk not UpToDate): nothing was changed. */
export const BARE_REFUSED = 3

/** The measured time a bare script printed, or undefined when it printed none. */
export function parseBareMs(stdout: string): number | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(FLOOR_MS_MARK))
  const digits = line?.slice(FLOOR_MS_MARK.length).trim() ?? ''
  return /^\d{1,12}$/.test(digits) ? Number(digits) : undefined
}

function bareScript(config: ClusterConfig, family: PackageFamily, action: string, body: string): string {
  // Sent through the transport, which puts `set -e` first: these functions test return codes themselves.
  return sh`set +e -u -o pipefail
${HA_SCRIPT_PATH_LINE}
# managed by hapair (cluster ${config.name}): ${action}, timed by failover-test --floor with the HA manager stopped.
${settingsBlock(haScriptParams(config, family))}
ACTION=${action}
UMOUNT_GRACE_S=${UMOUNT_GRACE_S}
LOCK_WAIT_S=${LOCK_WAIT_S}
PREFIX=${config.vip.prefix}

${SHELL_LIB}
${NFS_SHELL_LIB}
${STORAGE_SHELL_LIB}
bare() ${body}

trap wait EXIT # for log's syslog lines
take_lock || exit 1
started=$\{EPOCHREALTIME/[.,]/}
log "begin"
bare
rc=$?
log "end (exit $rc)"
[ "$rc" -eq 0 ] && echo "${FLOOR_MS_MARK}$(( ($\{EPOCHREALTIME/[.,]/} - started) / 1000 ))"
exit "$rc"
`
}

/** On the serving node: the VIP off, NFS stopped, its state and the filesystem unmounted, DRBD Secondary. */
export function renderBareRelease(config: ClusterConfig, family: PackageFamily): string {
  return bareScript(
    config,
    family,
    'floor-release',
    sh`{
  if holds_vip; then run 10 ip addr del "$VIP/$PREFIX" dev "$IFACE" || { log "could not remove $VIP"; return 1; }; fi
  release_storage
}`,
  )
}

/** On the standby: DRBD Primary (only over a Secondary peer and an UpToDate disk), mount, NFS state, NFS, the VIP on. */
export function renderBareAcquire(config: ClusterConfig, family: PackageFamily): string {
  return bareScript(
    config,
    family,
    'floor-acquire',
    sh`{
  local l p d
  read -r l p < <(drbd_roles)
  if [ "$l" != Primary ]; then
    d=$(drbd_disk)
    if [ "$p" != Secondary ] || [ "$d" != UpToDate ]; then
      log "REFUSED: the peer is $p (not Secondary) or the local disk is $\{d:-unknown} (not UpToDate): not promoting"
      echo "refused: peer role $p, local disk $\{d:-unknown}" >&2
      return ${BARE_REFUSED}
    fi
    run 30 drbdadm primary "$RES" || { log "drbdadm primary $RES failed"; return 1; }
  fi
  mount_data && bind_nfs_state && start_nfs || return 1
  if ! holds_vip; then run 10 ip addr add "$VIP/$PREFIX" dev "$IFACE" || { log "could not add $VIP"; return 1; }; fi
}`,
  )
}
