/**
 * The values the keepalived stack's shell scripts are rendered with, and the shell they share:
 * settings as `NAME='value'` lines, logging, time-bounded commands and read-only probes.
 * Both scripts are self-contained files (nothing sourced), so each one is what keepalived runs.
 */
import type {ClusterConfig} from '../../config/schema.js'
import {shq} from '../../facts/fact.js'
import type {PackageFamily} from '../../distro/family.js'
import {NFS_LIB, NFS_STATE_SUBDIR} from '../../facts/nfs.js'
import {serviceUnit, serviceUnits} from '../../distro/services.js'
import {HA_GAVE_UP_PATH, HA_LOCK_PATH, HA_LOG_PATH, HA_RUN_DIR} from './paths.js'

export interface HaScriptParams {
  resource: string
  device: string
  mountPoint: string
  fsType: string
  iface: string
  vip: string
  nfsUnit: string
  nfsStateUnits: string[]
  stateDir: string
}

/**
 * String.raw for shell text: write a backslash between the dollar and the brace where the shell
 * needs a parameter expansion (a bare dollar-brace would be a JS interpolation). Other backslashes
 * stay as written, so printf's backslash-n needs no doubling.
 */
export function sh(strings: TemplateStringsArray, ...values: Array<string | number>): string {
  return String.raw({raw: strings.raw}, ...values).replaceAll('$\\{', '${')
}

export const HA_SCRIPT_PATH_LINE = 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C'

/** Seconds the check keeps a node that gave up in FAULT, so a broken node does not grab the VIP back at once. */
export const GIVE_UP_HOLD_S = 120

export function haScriptParams(config: ClusterConfig, family: PackageFamily): HaScriptParams {
  if (!config.filesystem) throw new Error('the cluster file has no filesystem section (mountPoint)')
  const mountPoint = config.filesystem.mountPoint.replace(/\/+$/, '') || '/'
  return {
    resource: config.drbd.resource,
    device: config.drbd.device,
    mountPoint,
    fsType: config.filesystem.type,
    iface: config.vip.interface,
    vip: config.vip.address,
    nfsUnit: serviceUnit('nfs-server', family),
    nfsStateUnits: serviceUnits('nfs-state-users', family),
    stateDir: `${mountPoint}/${NFS_STATE_SUBDIR}`,
  }
}

/** `NAME='value'` settings block: every tunable sits here, at the top of the script. */
export function settingsBlock(p: HaScriptParams): string {
  const set = (name: string, value: string | number) => `${name}=${typeof value === 'number' ? value : shq(value)}`
  return [
    set('RES', p.resource),
    set('DEV', p.device),
    set('MP', p.mountPoint),
    set('FSTYPE', p.fsType),
    set('IFACE', p.iface),
    set('VIP', p.vip),
    set('NFS_UNIT', p.nfsUnit),
    set('NFS_STATE_UNITS', p.nfsStateUnits.join(' ')),
    set('NFS_LIB', NFS_LIB),
    set('NFSD_THREADS', '/proc/fs/nfsd/threads'),
    set('STATE_DIR', p.stateDir),
    // The state dir as findmnt shows a bind of it: "<device>[/<dir inside the filesystem>]".
    set('STATE_BIND_SOURCE', `${p.device}[/${NFS_STATE_SUBDIR}]`),
    set('LOG', HA_LOG_PATH),
    set('RUN_DIR', HA_RUN_DIR),
    set('LOCK', HA_LOCK_PATH),
    set('GAVE_UP', HA_GAVE_UP_PATH),
    set('GIVE_UP_HOLD_S', GIVE_UP_HOLD_S),
  ].join('\n')
}

/** Shell functions both scripts use. Probes only read; `run` bounds and logs a command. */
export const SHELL_LIB = sh`# One line per event: ISO time with ms, node, action, message. Also to syslog (tag hapair-ha).
log() {
  printf '%s %s %s: %s\n' "$(date '+%Y-%m-%dT%H:%M:%S.%3N%:z')" "$(uname -n)" "$ACTION" "$*" >>"$LOG" 2>/dev/null
  logger -t hapair-ha -p daemon.notice -- "$ACTION: $*" 2>/dev/null || true
}

# run SECONDS CMD...: runs CMD with a time limit (KILL 5 s after TERM); its output goes to the log.
# The lock's fd 9 is closed for CMD: a command that leaves a daemon behind (sm-notify forks to
# retry unreachable clients for minutes) must not hold the transition lock.
run() {
  local limit=$1 out rc
  shift
  out=$(timeout -k 5 "$limit" "$@" 2>&1 9>&-)
  rc=$?
  if [ -n "$out" ]; then printf '%s\n' "$out" | sed 's/^/    | /' >>"$LOG" 2>/dev/null; fi
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then log "timed out after $limit s: $*"; fi
  return "$rc"
}

# grep without -q in these probes: -q stops reading at the first match, and under pipefail the
# writer's SIGPIPE would turn a match into a failure.
holds_vip() {
  ip -4 -o addr show dev "$IFACE" 2>/dev/null | grep -F " inet $VIP/" >/dev/null
}

# Prints "<local role> <peer role>". DRBD 8.4 answers "Primary/Secondary" to drbdadm role; DRBD 9
# answers the local role only and shows the peer in drbdadm status ("  <peer> role:Secondary").
# "Unconfigured" when the resource is not up, "Unknown" for a peer that is not connected.
drbd_roles() {
  local out peer
  if ! out=$(timeout -k 2 10 drbdadm role "$RES" 2>/dev/null) || [ -z "$out" ]; then
    echo "Unconfigured Unknown"
    return
  fi
  out=$(printf '%s\n' "$out" | head -n1)
  case $out in
    */*) echo "$\{out%%/*} $\{out#*/}" ;;
    *)
      peer=$(timeout -k 2 10 drbdadm status "$RES" 2>/dev/null | awk '/^  [^ ]/ && $2 ~ /^role:/ { sub(/^role:/, "", $2); print $2; exit }')
      echo "$out $\{peer:-Unknown}"
      ;;
  esac
}

is_primary() {
  local l
  read -r l _ < <(drbd_roles)
  [ "$l" = Primary ]
}

data_mounted() {
  findmnt -rn -o SOURCE --mountpoint "$MP" 2>/dev/null | grep -xF "$DEV" >/dev/null
}

# /var/lib/nfs is the bind of $STATE_DIR: findmnt shows the source as "<device>[/<subdir>]".
state_bound() {
  findmnt -rn -o SOURCE --mountpoint "$NFS_LIB" 2>/dev/null | grep -xF "$STATE_BIND_SOURCE" >/dev/null
}

unit_active() {
  systemctl is-active --quiet "$1"
}

# The kernel server runs when nfsd has threads; a oneshot nfs-server unit stays "active" after
# someone ran rpc.nfsd 0, so the unit state alone is not proof.
nfsd_running() {
  unit_active "$NFS_UNIT" && [ -r "$NFSD_THREADS" ] && [ "$(cat "$NFSD_THREADS" 2>/dev/null || echo 0)" -gt 0 ]
}
`
