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
import {HA_GAVE_UP_PATH, HA_LOCK_PATH, HA_LOG_PATH, HA_MASTER_CALLED_PATH, HA_RUN_DIR} from './paths.js'

export interface HaScriptParams {
  resource: string
  device: string
  mountPoint: string
  fsType: string
  iface: string
  vip: string
  /** The VIP's name where the node has none for it (sm-notify's; see notify_nfs_clients). */
  vipName: string
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
    vipName: vipHostName(config.name),
    nfsUnit: serviceUnit('nfs-server', family),
    nfsStateUnits: serviceUnits('nfs-state-users', family),
    stateDir: `${mountPoint}/${NFS_STATE_SUBDIR}`,
  }
}

/** A host name for the VIP from the cluster name: lower case letters, digits and hyphens (RFC 1123). */
export function vipHostName(cluster: string): string {
  const label = cluster.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50)
  return `hapair-${label || 'cluster'}-vip`
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
    set('VIP_NAME', p.vipName),
    set('HOSTS_FILE', '/etc/hosts'),
    set('NFS_UNIT', p.nfsUnit),
    set('NFS_STATE_UNITS', p.nfsStateUnits.join(' ')),
    set('NFS_LIB', NFS_LIB),
    set('NFSD_THREADS', '/proc/fs/nfsd/threads'),
    // DRBD 8.4's per-device state line and the mount table, read with shell builtins (see SHELL_LIB).
    set('PROC_DRBD', '/proc/drbd'),
    set('PROC_MOUNTS', '/proc/self/mounts'),
    set('STATE_DIR', p.stateDir),
    set('LOG', HA_LOG_PATH),
    set('RUN_DIR', HA_RUN_DIR),
    set('LOCK', HA_LOCK_PATH),
    set('GAVE_UP', HA_GAVE_UP_PATH),
    set('MASTER_CALLED', HA_MASTER_CALLED_PATH),
    set('GIVE_UP_HOLD_S', GIVE_UP_HOLD_S),
  ].join('\n')
}

/**
 * Shell functions both scripts use. Probes only read; `run` bounds and logs a command.
 *
 * The check runs every two seconds on both nodes, and under emulation each program started costs
 * 0.1-0.8 s of the guest's one CPU: a check that started eleven programs kept a lab guest busy
 * most of the time and slowed every takeover. So the probes read /proc with shell builtins where
 * the kernel says the same thing (DRBD 8.4's /proc/drbd line, the mount table, nfsd's threads),
 * and `log` formats its time stamp with bash's printf; programs are started only where nothing
 * else can answer (ip, systemctl, drbdadm on DRBD 9).
 */
export const SHELL_LIB = sh`# One line per event: ISO time with ms, node, action, message. Also to syslog (tag hapair-ha),
# in the background (each script waits for it at exit): a transition does not wait for syslog.
# bash sets HOSTNAME to the node's name (uname -n) when it starts.
log() {
  trace "$@"
  logger -t hapair-ha -p daemon.notice -- "$ACTION: $*" 2>/dev/null 9>&- &
}

# The same line in the log file only: the transition's timeline (each command's duration), which
# would cost a logger program per line in syslog.
trace() {
  local now=$\{EPOCHREALTIME/,/.} z
  printf -v z '%(%z)T' "$\{now%.*}"
  printf '%(%Y-%m-%dT%H:%M:%S)T.%s%s %s %s: %s\n' "$\{now%.*}" "$\{now:$\{#now}-6:3}" "$\{z:0:3}:$\{z:3}" "$HOSTNAME" "$ACTION" "$*" >>"$LOG" 2>/dev/null
}

# run SECONDS CMD...: runs CMD with a time limit (KILL 5 s after TERM); its output goes to the log.
# The lock's fd 9 is closed for CMD: a command that leaves a daemon behind (sm-notify forks to
# retry unreachable clients for minutes) must not hold the transition lock.
# Each command's duration goes to the log ("took N ms (exit RC): CMD"): a slow transition explains
# itself there, command by command.
run() {
  local limit=$1 out rc line started=$\{EPOCHREALTIME/[.,]/}
  shift
  out=$(timeout -k 5 "$limit" "$@" 2>&1 9>&-)
  rc=$?
  if [ -n "$out" ]; then
    while IFS= read -r line; do printf '    | %s\n' "$line"; done <<<"$out" >>"$LOG" 2>/dev/null
  fi
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then log "timed out after $limit s: $*"; fi
  trace "took $(( ($\{EPOCHREALTIME/[.,]/} - started) / 1000 )) ms (exit $rc): $*"
  return "$rc"
}

holds_vip() {
  local out
  out=$(ip -4 -o addr show dev "$IFACE" 2>/dev/null) || return 1
  [[ $out == *" inet $VIP/"* ]]
}

# DRBD 8.4's line for the device in /proc/drbd, e.g.
#   " 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----"
# Prints "<cs> <local role> <peer role> <local disk>", or fails: DRBD 9 (whose /proc/drbd has no
# such lines), a device that is not configured, or no /proc/drbd.
proc_drbd_state() {
  local minor=$\{DEV#/dev/drbd} line cs= ro= ds= f
  [ -r "$PROC_DRBD" ] || return 1
  while read -r line; do
    [[ $line == "$minor: cs:"* ]] || continue
    for f in $\{line#"$minor: "}; do
      case $f in cs:*) cs=$\{f#cs:} ;; ro:*) ro=$\{f#ro:} ;; ds:*) ds=$\{f#ds:} ;; esac
    done
    [ "$cs" = Unconfigured ] && return 1
    [ -n "$ro" ] || return 1
    echo "$cs $\{ro%%/*} $\{ro#*/} $\{ds%%/*}"
    return 0
  done <"$PROC_DRBD"
  return 1
}

# Prints "<local role> <peer role>". DRBD 8.4 answers "Primary/Secondary" to drbdadm role; DRBD 9
# answers the local role only and shows the peer in drbdadm status ("  <peer> role:Secondary").
# "Unconfigured" when the resource is not up, "Unknown" for a peer that is not connected.
drbd_roles() {
  local out peer cs l p d
  if read -r cs l p d < <(proc_drbd_state); then
    echo "$l $p"
    return
  fi
  if ! out=$(timeout -k 2 10 drbdadm role "$RES" 2>/dev/null) || [ -z "$out" ]; then
    echo "Unconfigured Unknown"
    return
  fi
  out=$\{out%%$'\n'*}
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

# /proc/mounts escapes blanks in paths; the mount point and the device are validated to hold none.
data_mounted() {
  local src tgt _
  while read -r src tgt _; do
    [ "$tgt" = "$MP" ] && [ "$src" = "$DEV" ] && return 0
  done <"$PROC_MOUNTS"
  return 1
}

# The mount table read with builtins, like data_mounted: a transition asks it several times, and
# findmnt or mountpoint each cost a program. REPLY carries the answer (no subshell either).
# source_at PATH: REPLY = the source of the topmost mount on PATH ("" if none).
source_at() {
  local src tgt _
  REPLY=''
  while read -r src tgt _; do
    [ "$tgt" = "$1" ] && REPLY=$src
  done <"$PROC_MOUNTS"
}

# mounted_at PATH: something is mounted on PATH.
mounted_at() {
  source_at "$1"
  [ -n "$REPLY" ]
}

# last_target_of SOURCE: REPLY = where SOURCE was mounted last ("" if nowhere). A bind of a
# directory on it shows the device as its source too.
last_target_of() {
  local src tgt _
  REPLY=''
  while read -r src tgt _; do
    [ "$src" = "$1" ] && REPLY=$tgt
  done <"$PROC_MOUNTS"
}

# /var/lib/nfs is the bind of $STATE_DIR: the only mount of the DRBD device hapair makes there.
state_bound() {
  source_at "$NFS_LIB"
  [ "$REPLY" = "$DEV" ]
}

unit_active() {
  systemctl is-active --quiet "$1"
}

# The kernel server runs when nfsd has threads; a oneshot nfs-server unit stays "active" after
# someone ran rpc.nfsd 0, so the unit state alone is not proof. Threads first: no program started
# on a node where nfsd has none.
nfsd_running() {
  local threads=0
  [ -r "$NFSD_THREADS" ] && read -r threads <"$NFSD_THREADS" 2>/dev/null
  [ "$\{threads:-0}" -gt 0 ] 2>/dev/null && unit_active "$NFS_UNIT"
}
`
