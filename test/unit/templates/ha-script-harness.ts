/**
 * Runs the rendered notify/check scripts for real (bash) against stub drbdadm, systemctl, mount,
 * umount, findmnt, mountpoint, fuser, ip, exportfs, sm-notify and logger that keep the node's state
 * in files. Every stub call is appended to `calls`, so tests assert what a transition did and in
 * which order. Only the settings block and PATH line of the script are replaced.
 */
import {spawn, spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {HA_SCRIPT_PATH_LINE} from '../../../src/templates/scripts/ha-params.js'

/** A real block device, because the notify script waits for `[ -b $DEV ]`; undefined if the machine has none. */
export function someBlockDevice(): string | undefined {
  for (const name of ['loop0', 'loop1', 'vda', 'sda', 'nvme0n1', 'xvda', 'ram0']) {
    const p = `/dev/${name}`
    if (existsSync(p) && spawnSync('test', ['-b', p]).status === 0) return p
  }
  const r = spawnSync('bash', ['-c', 'find /dev -maxdepth 1 -type b | head -n1'], {encoding: 'utf8'})
  return r.stdout.trim() || undefined
}

const STUBS: Record<string, string> = {
  drbdadm: String.raw`
cmd=$1 res=$2
l=$(cat "$S/role-local") p=$(cat "$S/role-peer") d=$(cat "$S/disk-local")
if [ -f "$S/disk-uptodate-after" ]; then
  n=$(cat "$S/disk-uptodate-after"); n=$((n - 1)); echo "$n" >"$S/disk-uptodate-after"
  if [ "$n" -le 0 ]; then d=UpToDate; echo UpToDate >"$S/disk-local"; rm -f "$S/disk-uptodate-after"; fi
fi
if [ -f "$S/peer-demote-after" ]; then
  n=$(cat "$S/peer-demote-after"); n=$((n - 1)); echo "$n" >"$S/peer-demote-after"
  if [ "$n" -le 0 ]; then p=Secondary; echo Secondary >"$S/role-peer"; rm -f "$S/peer-demote-after"; fi
fi
case $cmd in
  role)
    if [ "$l" = Unconfigured ]; then echo "0: Failure: (127) Device minor not allocated" >&2; exit 10; fi
    if [ -f "$S/drbd9" ]; then echo "$l"; else echo "$l/$p"; fi ;;
  dstate)
    echo "$d/UpToDate" ;;
  status)
    echo "$res role:$l"; echo "  disk:UpToDate"; echo "  peer role:$p"; echo "    replication:Established peer-disk:UpToDate" ;;
  primary)
    if [ "$p" = Primary ]; then echo "State change failed: (-1) Multiple primaries not allowed by config" >&2; exit 11; fi
    if [ "$d" != UpToDate ] || [ -f "$S/primary-fails" ]; then echo "State change failed: (-2) Need access to UpToDate data" >&2; exit 17; fi
    echo Primary >"$S/role-local" ;;
  secondary)
    if awk -F'\t' -v d="$(cat "$S/dev")" '$1 == d || index($1, d "[") == 1 { f = 1 } END { exit !f }' "$S/mounts"; then
      echo "State change failed: (-12) Device is held open by someone" >&2; exit 11
    fi
    echo Secondary >"$S/role-local" ;;
  adjust)
    [ "$l" = Unconfigured ] && echo Secondary >"$S/role-local" ;;
esac
exit 0`,
  ip: String.raw`
case "$1 $2" in
  "addr add") echo "${'$'}{3%/*}" >"$S/vip"; exit 0 ;;
  "addr del") rm -f "$S/vip"; exit 0 ;;
esac
if [ -f "$S/vip" ]; then
  printf '2: eth0    inet 192.0.2.11/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever\n'
  printf '2: eth0    inet %s/24 scope global secondary eth0\\       valid_lft forever preferred_lft forever\n' "$(cat "$S/vip")"
else
  printf '2: eth0    inet 192.0.2.11/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever\n'
fi`,
  findmnt: String.raw`
out=SOURCE mp= src=
while [ $# -gt 0 ]; do
  case $1 in -o) out=$2; shift ;; --mountpoint) mp=$2; shift ;; -S) src=$2; shift ;; esac
  shift
done
if [ -n "$mp" ]; then
  awk -F'\t' -v t="$mp" -v o="$out" '$2 == t { print (o == "TARGET" ? $2 : $1) }' "$S/mounts" | grep .
else
  awk -F'\t' -v s="$src" -v o="$out" '$1 == s || index($1, s "[") == 1 { print (o == "TARGET" ? $2 : $1) }' "$S/mounts" | grep .
fi`,
  mountpoint: String.raw`
t=$2
awk -F'\t' -v t="$t" '$2 == t { f = 1 } END { exit !f }' "$S/mounts"`,
  mount: String.raw`
if [ "$1" = --bind ]; then
  printf '%s\t%s\n' "$(cat "$S/dev")" "$3" >>"$S/mounts"
elif [ "$1" = -t ] && [ "$2" = rpc_pipefs ]; then
  printf 'sunrpc\t%s\n' "$4" >>"$S/mounts"
elif [ "$1" = -t ]; then
  printf '%s\t%s\n' "$3" "$4" >>"$S/mounts"
fi`,
  umount: String.raw`
t=$1; [ "$t" = -l ] && t=$2
if grep -qxF "$t" "$S/busy" 2>/dev/null; then echo "umount: $t: target is busy." >&2; exit 32; fi
awk -F'\t' -v t="$t" '{ l[NR] = $0; if ($2 == t) last = NR } END { for (i = 1; i <= NR; i++) if (i != last) print l[i] }' "$S/mounts" >"$S/mounts.new"
mv "$S/mounts.new" "$S/mounts"`,
  fuser: String.raw`
t=${'$'}{!#}
case " $* " in *" -k "*) grep -vxF "$t" "$S/busy" >"$S/busy.new" 2>/dev/null; mv "$S/busy.new" "$S/busy" ;; esac
exit 0`,
  systemctl: String.raw`
case $1 in
  is-active) u=${'$'}{!#}; [ -f "$S/active/$u" ] ;;
  start | restart)
    if [ "$2" = nfs-server ] && [ -f "$S/nfs-broken" ]; then echo "Job for nfs-server.service failed." >&2; exit 1; fi
    touch "$S/active/$2"; [ "$2" = nfs-server ] && echo 8 >"$S/threads"; exit 0 ;;
  stop)
    shift
    for u in "$@"; do rm -f "$S/active/$u"; [ "$u" = nfs-server ] && echo 0 >"$S/threads"; done; exit 0 ;;
esac`,
  exportfs: 'exit 0',
  // Like the real one, leaves a background process behind (to retry unreachable clients).
  'sm-notify': 'sleep 30 >/dev/null 2>&1 </dev/null &\necho $! >"$S/sm-notify.pid"\nexit 0',
  logger: 'exit 0',
  // Records only: sm-notify in a mount namespace of its own (the VIP has no name in /etc/hosts).
  unshare: 'exit 0',
}

/** Settings only notify.sh has. */
const NOTIFY_ONLY = new Set(['PEER_WAIT_S', 'UMOUNT_GRACE_S', 'LOCK_WAIT_S'])

export interface NodeState {
  roleLocal?: string
  rolePeer?: string
  vip?: boolean
  /** "SOURCE\tTARGET" lines */
  mounts?: string[]
  active?: string[]
  nfsdThreads?: number
  drbd9?: boolean
  nfsBroken?: boolean
  /** Local disk state (default UpToDate). */
  disk?: string
  /** The local disk becomes UpToDate after this many drbdadm calls. */
  diskUpToDateAfter?: number
  /** drbdadm primary fails even with an UpToDate disk. */
  primaryFails?: boolean
  busy?: string[]
  /** The peer demotes after this many drbdadm calls. */
  peerDemoteAfter?: number
}

export interface Harness {
  dir: string
  stateDir: string
  device: string
  mountPoint: string
  nfsLib: string
  runDir: string
  log: string
  /** The scripts' /etc/hosts. */
  hostsFile: string
  install(name: string, script: string): string
  run(script: string, args: string[], env?: Record<string, string>): {code: number; stdout: string; stderr: string}
  runAsync(script: string, args: string[]): Promise<number>
  calls(): string[]
  clearCalls(): void
  read(name: string): string
  mounts(): string[]
  active(): string[]
  set(state: NodeState): void
  /** The peer's DRBD role becomes what `peer` has as its own (after set(): set writes role-peer). */
  linkPeer(peer: Harness): void
  cleanup(): void
}

export interface HarnessOptions {
  /** Use the machine's real `ip` (the scripts then see the VIP of the network namespace they run in). */
  realIp?: boolean
  /** The VIP written into the scripts (default 192.0.2.100, which the ip stub reports). */
  vip?: string
}

export function makeHarness(device: string, opts: HarnessOptions = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-ha-'))
  const S = join(dir, 'state')
  const bin = join(dir, 'bin')
  const mountPoint = join(dir, 'data')
  const nfsLib = join(dir, 'var-lib-nfs')
  const runDir = join(dir, 'run')
  const log = join(dir, 'hapair-ha.log')
  for (const d of [S, join(S, 'active'), bin, mountPoint, nfsLib, join(nfsLib, 'sm'), join(nfsLib, 'v4recovery'), join(nfsLib, 'rpc_pipefs')]) mkdirSync(d, {recursive: true})
  writeFileSync(join(nfsLib, 'state'), 'x')
  writeFileSync(join(nfsLib, 'rmtab'), '')
  for (const [name, body] of Object.entries(STUBS)) {
    if (name === 'ip' && opts.realIp) continue
    const file = join(bin, name)
    writeFileSync(file, `#!/bin/bash\nS=${JSON.stringify(S)}\necho "${name} $*" >>"$S/calls"\n${body}\n`)
    chmodSync(file, 0o755)
  }
  // The node's /etc/hosts; by default it names the VIP, so sm-notify runs directly.
  const hostsFile = join(dir, 'hosts')
  writeFileSync(hostsFile, `127.0.0.1\tlocalhost\n${opts.vip ?? '192.0.2.100'}\tnfs-vip\n`)
  writeFileSync(join(S, 'dev'), device)
  writeFileSync(join(S, 'calls'), '')

  const h: Harness = {
    dir,
    stateDir: S,
    device,
    mountPoint,
    nfsLib,
    runDir,
    log,
    hostsFile,
    install(name, script) {
      const settings: Record<string, string | number> = {
        DEV: device,
        MP: mountPoint,
        NFS_LIB: nfsLib,
        NFSD_THREADS: join(S, 'threads'),
        // The stubs keep the mount table; /proc/drbd is absent unless a test writes one (DRBD 9,
        // or a node without the module), so the drbdadm stub answers.
        PROC_MOUNTS: join(S, 'mounts'),
        PROC_DRBD: join(S, 'proc-drbd'),
        STATE_DIR: join(mountPoint, '.hapair-nfs'),
        LOG: log,
        RUN_DIR: runDir,
        LOCK: join(runDir, 'ha.lock'),
        GAVE_UP: join(runDir, 'gave-up'),
        MASTER_CALLED: join(dir, 'master-called'), // beside run/, as /run/hapair-master-called is on a node
        PEER_WAIT_S: 2,
        UMOUNT_GRACE_S: 1,
        LOCK_WAIT_S: 10,
        VIP: opts.vip ?? '192.0.2.100',
        HOSTS_FILE: hostsFile,
      }
      let text = script.replace(HA_SCRIPT_PATH_LINE, `export PATH=${bin}:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C`)
      for (const [k, v] of Object.entries(settings)) {
        const re = new RegExp(`^${k}=.*$`, 'm')
        if (!re.test(text)) {
          if (NOTIFY_ONLY.has(k)) continue
          throw new Error(`setting ${k} not found in the script`)
        }
        text = text.replace(re, `${k}=${typeof v === 'number' ? v : `'${v}'`}`)
      }
      const file = join(dir, name)
      writeFileSync(file, text)
      chmodSync(file, 0o755)
      return file
    },
    run(script, args, env = {}) {
      const r = spawnSync('bash', [script, ...args], {encoding: 'utf8', env: {HOME: dir, ...env}, timeout: 60_000})
      return {code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr}
    },
    runAsync(script, args) {
      return new Promise((resolve) => {
        const child = spawn('bash', [script, ...args], {env: {HOME: dir}, stdio: 'ignore'})
        child.on('exit', (code) => resolve(code ?? -1))
      })
    },
    calls: () => readFileSync(join(S, 'calls'), 'utf8').split('\n').filter(Boolean),
    clearCalls: () => writeFileSync(join(S, 'calls'), ''),
    read: (name) => readFileSync(join(S, name), 'utf8').trim(),
    mounts: () => readFileSync(join(S, 'mounts'), 'utf8').split('\n').filter(Boolean),
    active: () => readdirSync(join(S, 'active')).sort(),
    set(state) {
      const w = (name: string, v: string) => writeFileSync(join(S, name), v)
      w('role-local', state.roleLocal ?? 'Secondary')
      w('role-peer', state.rolePeer ?? 'Secondary')
      w('disk-local', state.disk ?? 'UpToDate')
      w('mounts', (state.mounts ?? []).map((l) => `${l}\n`).join(''))
      w('threads', String(state.nfsdThreads ?? 0))
      w('busy', (state.busy ?? []).map((l) => `${l}\n`).join(''))
      const flag = (name: string, on: boolean | undefined, content = '') => {
        if (on) w(name, content)
        else spawnSync('rm', ['-f', join(S, name)])
      }
      flag('vip', state.vip, '192.0.2.100')
      flag('drbd9', state.drbd9)
      flag('nfs-broken', state.nfsBroken)
      flag('primary-fails', state.primaryFails)
      flag('disk-uptodate-after', state.diskUpToDateAfter !== undefined, String(state.diskUpToDateAfter))
      flag('peer-demote-after', state.peerDemoteAfter !== undefined, String(state.peerDemoteAfter))
      spawnSync('bash', ['-c', `rm -f ${JSON.stringify(join(S, 'active'))}/*`])
      for (const u of state.active ?? []) w(`active/${u}`, '')
    },
    cleanup() {
      rmSync(dir, {recursive: true, force: true})
    },
    linkPeer(peer) {
      rmSync(join(S, 'role-peer'), {force: true})
      symlinkSync(join(peer.stateDir, 'role-local'), join(S, 'role-peer'))
    },
  }
  h.set({})
  return h
}

/** What a takeover runs once DRBD is Primary, in order: mount, NFS state bind, NFS server, lock notices, exports. */
export function serveCalls(h: Harness): string[] {
  return [
    `mount -t ext4 ${h.device} ${h.mountPoint}`,
    // One call for every daemon that keeps files in /var/lib/nfs (stopping a stopped one is free).
    'systemctl stop nfs-server nfsdcld rpc-statd nfs-idmapd',
    `mount --bind ${h.mountPoint}/.hapair-nfs ${h.nfsLib}`,
    'systemctl restart nfs-server',
    'sm-notify -f -v 192.0.2.100',
    'exportfs -ra',
  ]
}

/** What a release runs, in order: NFS stopped, its state unbound, the filesystem unmounted, then DRBD Secondary. */
export function releaseCalls(h: Harness): string[] {
  return ['systemctl stop nfs-server nfsdcld rpc-statd nfs-idmapd', `umount ${h.nfsLib}`, `umount ${h.mountPoint}`, 'drbdadm secondary r0']
}

/** Calls that change something (the probes are left out). */
export function mutating(calls: string[]): string[] {
  return calls.filter(
    (c) =>
      !/^drbdadm (role|status|dstate) /.test(c) &&
      !/^systemctl is-active /.test(c) &&
      !/^(findmnt|mountpoint|logger) /.test(c) &&
      !/^ip -4 -o addr show /.test(c) &&
      !/^fuser -vm /.test(c),
  )
}
