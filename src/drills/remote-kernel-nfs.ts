/**
 * The drill's RecordTransport on a client node (`drill.client: {name, address, ssh}`): the node's
 * own kernel NFS client, one short script per operation over its SSH connection.
 *
 * The promise is the native client's (nfs3/transport.ts): an acknowledged record is on the
 * server's stable storage. Each record is written with O_SYNC and then fsync'd, and fsync on NFS
 * returns only after the server has the data on stable storage (a FILE_SYNC WRITE, or a COMMIT
 * whose verifier matches; the kernel resends on a verifier change). A failed fsync fails dd, so
 * the write is not acknowledged. The `sync` mount option only promises "sent to the server
 * before write(2) returns" (nfs(5)); the promise rests on fsync.
 *
 * The export is mounted once, NFSv3 over TCP, on a private directory under /run (named here, so
 * one whose mount answer was lost can still be cleaned up), with nothing cached (attributes,
 * lookups) and `soft` so nothing waits on a dead server forever; every operation is also killed
 * on the node (`timeout -s KILL`, NFS waits are killable) a little before hapair stops waiting.
 * Reads are O_DIRECT, so they come from the server, not the client's page cache. Before touching
 * the mount, each operation checks it is still an NFS mount (from /proc, no NFS traffic): a write
 * into the bare directory would be acknowledged and never reach the server. A mount that is gone
 * or stale is dropped and the next operation mounts again; a mount that failed is tried again by
 * the next operation.
 */
import {randomBytes} from 'node:crypto'
import {shq} from '../facts/fact.js'
import type {ExecResult, Host} from '../transport/host.js'
import type {RecordTransport, TransportResult} from './client-writer.js'
import {parseNfsUrl, relativeTo, type NfsTarget} from './nfs3/url.js'

export interface RemoteKernelNfsOptions {
  /** The export to mount (as in /etc/exports). Without it: the directory the first operation names. */
  exportPath?: string
  /** Test hook: the mount directory's name for each mount. */
  mountDir?: () => string
}

export const newMountDir = (): string => `/run/hapair-drill.${randomBytes(6).toString('hex')}`

export interface KernelMount {
  server: string
  exportPath: string
  /** Where it is mounted on the client node. */
  dir: string
}

/** Exit codes of the scripts (sysexits.h): the node has no NFS client; the mount is gone. */
export const NO_NFS_CLIENT = 69
export const MOUNT_GONE = 75

/** An operation left with less than this after mounting cannot make an SSH round trip. */
const MIN_OP_MS = 300

/**
 * How long the first mount may take, whatever the operation that started it waits. A client's
 * first NFS mount loads the NFS modules: an emulated lab guest took more than the 3 s a write
 * waits, and a mount killed at each write's deadline never finished, so no write ever did.
 * Operations stop waiting at their own deadline; the mount goes on, and the next operation waits
 * for the same one. Later mounts (after a failover dropped one) keep the operation's budget: a
 * mount left waiting on a moving VIP would add TCP's backoff to the stall the drill measures.
 */
export const MOUNT_MS = 30_000

/** The node kills an operation this much before hapair stops waiting: room for SSH and bash. */
export function nodeBudgetMs(timeoutMs: number): number {
  return timeoutMs - Math.min(1000, Math.round(timeoutMs / 4))
}

/** Seconds for coreutils `timeout`, rounded down to 0.1 s so the node never waits longer than asked. */
export const secs = (ms: number) => (Math.max(1, Math.floor(ms / 100)) / 10).toFixed(1)

/**
 * nfs(5) options. timeo is about a third of the budget (at least 1 s, so a slow but alive server
 * is not retransmitted to): with retrans=1 and TCP's linear backoff, a soft mount gives up after
 * about 3 * timeo, near the budget, and a request lost in a failover is resent within it.
 * retry=0: a refused mount fails at once instead of retrying for 2 minutes. nolock: no statd
 * needed, records are never locked. nosharecache: with a shared cache the options of the node's
 * first mount of this export would win over ours. nordirplus: the service probe's listing is plain
 * READDIR, as the native client's is, not the attributes of every record. `soft` cannot lose an
 * acknowledged write here: every write is synchronous, so a soft timeout fails that write, not a
 * later one (nfs(5)'s "silent data corruption" is about cached writes flushed after the fact).
 */
export function mountOptions(budgetMs: number): string {
  const timeo = Math.min(600, Math.max(10, Math.round(budgetMs / 300)))
  return ['vers=3', 'proto=tcp', 'mountproto=tcp', 'soft', `timeo=${timeo}`, 'retrans=1', 'retry=0', 'nolock', 'sync', 'actimeo=0', 'lookupcache=none', 'nosharecache', 'nordirplus'].join(',')
}

/**
 * Lazy, forced unmount of a directory (a shell word), then rmdir: never rm -r, the directory may
 * still be a mount of the export. -i skips umount.nfs (it would ask a possibly dead mountd), -c
 * skips the path lookup (a stat that could wait on the server): neither waits on the server, the
 * kill after UMOUNT_S is a backstop.
 */
const UMOUNT_S = 1
const unmountLines = (word: string) => [`timeout -s KILL ${UMOUNT_S} umount -c -i -f -l ${word} 2>/dev/null || true`, `rmdir ${word} 2>/dev/null || true`]

export function unmountScript(dirs: string[]): string {
  return dirs.flatMap((d) => unmountLines(shq(d))).join('\n')
}

/** `server:/path` as mount.nfs wants it (an IPv6 address in brackets). */
export const mountSource = (server: string, exportPath: string) => `${server.includes(':') ? `[${server}]` : server}:${exportPath}`

/**
 * Drops the given old mounts, then mounts `server:exportPath` on `dir`, a new root-only directory
 * (mkdir fails if it exists). A failed mount leaves nothing behind. `optionsMs`: the operation
 * budget the mount's soft timeouts are sized for, when the mount itself may take longer.
 */
export function mountScript(server: string, exportPath: string, dir: string, budgetMs: number, old: string[] = [], optionsMs?: number): string {
  const mountMs = Math.max(Math.min(budgetMs, 500), budgetMs - UMOUNT_S * 1000 * old.length)
  return [
    ...(old.length ? [unmountScript(old)] : []),
    `command -v mount.nfs >/dev/null || { echo 'mount.nfs not found' >&2; exit ${NO_NFS_CLIENT}; }`,
    `d=${shq(dir)}`,
    'mkdir -m 0700 "$d"',
    `timeout -s KILL ${secs(mountMs)} mount -t nfs -o ${mountOptions(optionsMs ?? mountMs)} ${shq(mountSource(server, exportPath))} "$d" || {`,
    '  rc=$?',
    ...unmountLines('"$d"').map((l) => `  ${l}`),
    '  exit $rc',
    '}',
  ].join('\n')
}

/** `body` runs only while `dir` is still an NFS mount (/proc/self/mounts: no NFS traffic). */
function onMount(dir: string, body: string): string {
  return [
    `d=${shq(dir)}`,
    `awk -v d="$d" '$2 == d && $3 ~ /^nfs/ {m = 1} END {exit !m}' /proc/self/mounts || { echo "$d is no longer an NFS mount" >&2; exit ${MOUNT_GONE}; }`,
    body,
  ].join('\n')
}

/** Creates or replaces the file: O_SYNC writes, then fsync; dd fails when either does. */
export function writeScript(dir: string, rel: string, content: string, budgetMs: number): string {
  return onMount(dir, `printf '%s' ${shq(content)} | timeout -s KILL ${secs(budgetMs)} dd of="$d"/${shq(rel)} bs=1M oflag=sync conv=fsync status=none`)
}

/** The whole file on stdout, read with O_DIRECT: from the server, not the page cache. */
export function readScript(dir: string, rel: string, budgetMs: number): string {
  return onMount(dir, `timeout -s KILL ${secs(budgetMs)} dd if="$d"/${shq(rel)} bs=1M iflag=direct status=none`)
}

/** Lists the directory (the service answers); the names are not needed, so they stay on the node. */
export function listScript(dir: string, rel: string, budgetMs: number): string {
  return onMount(dir, `timeout -s KILL ${secs(budgetMs)} ls -1A -- "$d"/${shq(rel)} >/dev/null`)
}

/** The path below the mount for an NFS URL's target, or why this mount cannot serve it. */
export function pathInMount(mount: Pick<KernelMount, 'server' | 'exportPath'>, target: NfsTarget): {rel: string} | {error: string} {
  const segments = target.host === mount.server ? relativeTo(mount.exportPath, target.path) : undefined
  if (!segments) return {error: `${target.host}:${target.path} is outside the mounted export ${mount.server}:${mount.exportPath}`}
  return {rel: segments.join('/')}
}

/** What an operation's script result means; `gone` when the mount must be dropped. */
export function operationResult(r: ExecResult, timeoutMs: number): TransportResult & {gone?: boolean} {
  if (r.code === 0) return {ok: true, stdout: r.stdout}
  if (r.code === 124 || r.code === 137) return {ok: false, error: `no answer within ${timeoutMs} ms`}
  const error = r.stderr.trim().split('\n').at(-1) || `exit ${r.code}`
  return r.code === MOUNT_GONE || /Stale file handle/i.test(r.stderr) ? {ok: false, error, gone: true} : {ok: false, error}
}

/** Why a mount failed, naming the node and, when it is the node's to fix, how. */
export function mountError(node: string, source: string, r: ExecResult, timeoutMs: number): string {
  if (r.code === NO_NFS_CLIENT) return `${node} has no NFS client (mount.nfs not found): install nfs-common (Debian, Ubuntu) or nfs-utils (RHEL, Fedora, SUSE) on it`
  if (r.code === 124 || r.code === 137) return `${node}: mounting ${source} got no answer within ${timeoutMs} ms`
  const why = r.stderr.trim().split('\n').at(-1) || `exit ${r.code}`
  // A minimal system without netbase has no /etc/protocols, and mount.nfs cannot resolve "tcp".
  if (/Failed to find '\w+' protocol/.test(why)) return `${node}: cannot mount ${source}: ${why} (${node} has no /etc/protocols): install netbase on it`
  return `${node}: cannot mount ${source}: ${why}`
}

type Mounting = Promise<{mount: KernelMount} | {error: string}>

/** `p`'s value, or undefined if it takes longer than `ms` (p itself goes on). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)))
  try {
    return await Promise.race([p, late])
  } finally {
    clearTimeout(timer)
  }
}

export function remoteKernelNfs(host: Host, opts: RemoteKernelNfsOptions = {}): RecordTransport {
  let mounting: Mounting | undefined
  /** Mounts dropped (gone, stale) that the next mount script unmounts and removes. */
  const dropped: string[] = []
  let closed = false
  let everMounted = false

  const run = async (script: string, label: string, timeoutMs: number): Promise<ExecResult | {error: string}> => {
    try {
      return await host.run(script, {label, timeoutMs})
    } catch (e) {
      return {error: (e as Error).message}
    }
  }

  const mountNow = async (server: string, exportPath: string, timeoutMs: number): Mounting => {
    const old = dropped.splice(0)
    const dir = (opts.mountDir ?? newMountDir)()
    const source = mountSource(server, exportPath)
    const mountMs = everMounted ? timeoutMs : Math.max(timeoutMs, MOUNT_MS)
    const r = await run(mountScript(server, exportPath, dir, nodeBudgetMs(mountMs), old, nodeBudgetMs(timeoutMs)), 'drill NFS mount', mountMs)
    if ('error' in r) {
      // No answer: the old ones may still be there, and the new one may have been made after all.
      dropped.push(...old, dir)
      return {error: `${host.node}: mounting ${source}: ${r.error}`}
    }
    if (r.code !== 0) return {error: mountError(host.node, source, r, mountMs)}
    everMounted = true
    return {mount: {server, exportPath, dir}}
  }

  /** One mount shared by concurrent operations (writer and prober); a failed one is tried again next time. */
  const mountFor = (server: string, exportPath: string, timeoutMs: number): Mounting => {
    if (!mounting) {
      const p = mountNow(server, exportPath, timeoutMs)
      mounting = p
      void p.then((o) => {
        if ('error' in o && mounting === p) mounting = undefined
      })
    }
    return mounting
  }

  const drop = (p: Mounting, mount: KernelMount) => {
    if (mounting !== p) return // another operation dropped it already
    mounting = undefined
    dropped.push(mount.dir)
  }

  /** Mounts if needed, then runs the operation's script on the path `url` names under the mount. */
  async function operate(url: string, timeoutMs: number, label: string, isDir: boolean, script: (dir: string, rel: string, budgetMs: number) => string): Promise<TransportResult> {
    if (closed) return {ok: false, error: 'the drill client transport is closed'}
    const started = Date.now()
    let target: NfsTarget
    try {
      target = parseNfsUrl(url)
    } catch (e) {
      return {ok: false, error: (e as Error).message}
    }
    const exportPath = opts.exportPath ?? (isDir ? target.path : target.path.replace(/\/[^/]*$/, '') || '/')
    if (!relativeTo(exportPath, target.path)) return {ok: false, error: `${url} is outside the export ${exportPath}`}
    const p = mountFor(target.host, exportPath, timeoutMs)
    const mounted = await within(p, timeoutMs)
    if (!mounted) return {ok: false, error: `no answer within ${timeoutMs} ms (still mounting ${mountSource(target.host, exportPath)})`}
    if ('error' in mounted) return {ok: false, error: mounted.error}
    const where = pathInMount(mounted.mount, target)
    if ('error' in where) return {ok: false, error: where.error}
    if (!isDir && !where.rel) return {ok: false, error: `${url} names the export itself, not a file`}
    const left = timeoutMs - (Date.now() - started)
    if (left < MIN_OP_MS) return {ok: false, error: `no answer within ${timeoutMs} ms (mounting took it)`}
    const r = await run(script(mounted.mount.dir, where.rel, nodeBudgetMs(left)), label, left)
    if ('error' in r) return {ok: false, error: r.error}
    const {gone, ...result} = operationResult(r, timeoutMs)
    if (gone) drop(p, mounted.mount)
    return result
  }

  return {
    describe: `kernel NFS client on ${host.node} (sync mount, every write fsync'd)`,
    write: (url, content, timeoutMs) => operate(url, timeoutMs, 'drill write', false, (dir, rel, budget) => writeScript(dir, rel, content, budget)),
    read: (url, timeoutMs) => operate(url, timeoutMs, 'drill read', false, readScript),
    list: (url, timeoutMs) => operate(url, timeoutMs, 'drill service probe', true, listScript),
    async close() {
      closed = true
      const last = await mounting
      mounting = undefined
      const dirs = [...dropped.splice(0), ...(last && 'mount' in last ? [last.mount.dir] : [])]
      if (dirs.length) await run(unmountScript(dirs), 'drill NFS unmount', 15_000)
    },
  }
}
