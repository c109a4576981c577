/**
 * The drill's RecordTransport for a stack that serves no network client (a DRBD filesystem alone,
 * seed 003): the records are written on whichever cluster node holds the mount, over the drill's
 * own SSH connection to that node, one short script per operation.
 *
 * The promise is the NFS writers' (client-writer.ts): an acknowledged record is on stable storage.
 * Each record is written with O_SYNC and then fsync'd on the node holding the DRBD device; DRBD
 * completes a write only once it is on the disks its protocol names (C: both nodes), and a failed
 * write or fsync fails dd, so the script exits non-zero and the write is not acknowledged.
 *
 * Before touching the filesystem, each script checks on its node, from /proc (no I/O that could
 * wait on the disk), that this node serves: DRBD is Primary here and the mount point is mounted
 * from the DRBD device. A node that does not serve says so with NOT_SERVING, and the transport
 * asks the other node within the same operation. Without the check a write on the standby would
 * land in the bare mount-point directory of its root disk and be acknowledged, and be gone after.
 * The script first enters the mount point and then checks that its working directory is the DRBD
 * filesystem's root (device number): a mount that appears or goes between the check and the
 * write cannot redirect it, and the open directory keeps the filesystem from being unmounted
 * under the write (heartbeat's Filesystem agent kills the writer instead: not acknowledged).
 * Reads are O_DIRECT, so they come from the disk, not the page cache.
 *
 * The node that served last is asked first. A node that does not serve, or does not answer, loses
 * that place, so after a takeover (or while the old active node is powered off and its SSH
 * connection hangs) the next operation goes to the peer first instead of waiting out a timeout.
 */
import {shq} from '../facts/fact.js'
import {minorOf} from '../facts/drbd.js'
import type {ExecResult, Host} from '../transport/host.js'
import type {RecordTransport, TransportResult} from './client-writer.js'
import {nodeBudgetMs, secs} from './remote-kernel-nfs.js'

/** Exit code of a script on a node that does not hold the mount (sysexits' EX_TEMPFAIL: try elsewhere). */
export const NOT_SERVING = 75

/** DRBD's block major (include/linux/major.h: DRBD_MAJOR). */
export const DRBD_MAJOR = 147

/** An operation left with less than this cannot make an SSH round trip. */
const MIN_OP_MS = 300

/** How long the DRBD 9 role query may take (drbdsetup over netlink; killed, never waited on). */
const ROLE_S = 2

/** Where the serving check reads; tests point it at canned files. */
export interface ServingFiles {
  procDrbd: string
  mountinfo: string
}

export const PROC_FILES: ServingFiles = {procDrbd: '/proc/drbd', mountinfo: '/proc/self/mountinfo'}

/** What a node must have to serve the drill's records. */
export interface ServingTarget {
  resource: string
  /** The DRBD device's numbers (147:minor), as /proc/self/mountinfo and stat show them. */
  major: number
  minor: number
  mountPoint: string
  files?: ServingFiles
}

/** The kernel's encoding of a device number (new_encode_dev), as `stat -c %d` prints it. */
export const encodeDev = (major: number, minor: number): number => (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)

/**
 * Enters the mount point, checks this node serves (see the module comment), then runs `body`
 * with the mount point as working directory. Shell builtins except stat and DRBD 9's drbdsetup.
 */
export function onServingNode(t: ServingTarget, body: string): string {
  const files = t.files ?? PROC_FILES
  const notServing = (why: string) => `{ echo ${shq(`not serving here: ${why}`)} >&2; exit ${NOT_SERVING}; }`
  return [
    `cd -- ${shq(t.mountPoint)} 2>/dev/null || ${notServing(`cannot enter ${t.mountPoint}`)}`,
    'primary= first=',
    // 8.4 lists each minor's role in /proc/drbd ("0: cs:Connected ro:Primary/Secondary ...").
    `while IFS= read -r line; do [ -n "$first" ] || first=$line; if [[ $line =~ ^\\ *${t.minor}:\\ .*\\ ro:Primary/ ]]; then primary=1; fi; done <${shq(files.procDrbd)} 2>/dev/null || true`,
    // 9 does not; its first status line is "<resource> role:Primary". Captured whole, not piped
    // into read: drbdsetup would die of SIGPIPE writing the lines after the first (pipefail).
    `case "$first" in 'version: 8.'*) ;; *) st=$(timeout -s KILL ${ROLE_S} drbdsetup status ${shq(t.resource)} 2>/dev/null) || st=; role=; read -r _ role _ <<<"$st" || true; if [ "$role" = role:Primary ]; then primary=1; fi ;; esac`,
    `[ -n "$primary" ] || ${notServing(`DRBD ${t.resource} is not Primary`)}`,
    // The top mount at the mount point (the last mountinfo line for it) must be the DRBD device.
    'top=',
    `while read -r _ _ mm _ target _; do if [ "$target" = ${shq(t.mountPoint)} ]; then top=$mm; fi; done <${shq(files.mountinfo)}`,
    `[ "$top" = ${t.major}:${t.minor} ] || ${notServing(`${t.mountPoint} is not mounted from the DRBD device`)}`,
    `[ "$(stat -c %d .)" = ${encodeDev(t.major, t.minor)} ] || ${notServing(`${t.mountPoint} was not the DRBD filesystem when entered`)}`,
    body,
  ].join('\n')
}

/** Creates or replaces the file (relative to the mount point): O_SYNC writes, then fsync; dd fails when either does. */
export function writeScript(t: ServingTarget, rel: string, content: string, budgetMs: number): string {
  return onServingNode(t, `printf '%s' ${shq(content)} | timeout -s KILL ${secs(budgetMs)} dd of=${shq(rel)} bs=1M oflag=sync conv=fsync status=none`)
}

/** The whole file on stdout, read with O_DIRECT: from the disk, not the page cache. */
export function readScript(t: ServingTarget, rel: string, budgetMs: number): string {
  return onServingNode(t, `timeout -s KILL ${secs(budgetMs)} dd if=${shq(rel)} bs=1M iflag=direct status=none`)
}

/** Lists the directory (the filesystem answers on the serving node); the names stay on the node. */
export function listScript(t: ServingTarget, rel: string, budgetMs: number): string {
  return onServingNode(t, `timeout -s KILL ${secs(budgetMs)} ls -1A -- ${shq(rel || '.')} >/dev/null`)
}

/** `path` relative to the mount point ('' for the mount point itself), or undefined when outside it. */
export function relativeToMount(mountPoint: string, path: string): string | undefined {
  const base = mountPoint.replace(/\/+$/, '')
  const clean = path.replace(/\/+$/, '')
  if (clean === base) return ''
  if (!clean.startsWith(`${base}/`)) return undefined
  const rel = clean.slice(base.length + 1)
  return rel.split('/').some((s) => s === '..' || s === '.' || s === '') ? undefined : rel
}

type NodeAnswer = {kind: 'ok'; stdout: string} | {kind: 'not-serving' | 'no-answer' | 'failed'; error: string}

/** What a script's result on `node` means. */
export function nodeAnswer(node: string, r: ExecResult | {error: string}, timeoutMs: number): NodeAnswer {
  if ('error' in r) return {kind: 'no-answer', error: `${node}: ${r.error}`}
  if (r.code === 0) return {kind: 'ok', stdout: r.stdout}
  const said = r.stderr.trim().split('\n').at(-1) || `exit ${r.code}`
  if (r.code === NOT_SERVING) return {kind: 'not-serving', error: `${node}: ${said}`}
  if (r.code === 124 || r.code === 137) return {kind: 'no-answer', error: `${node}: no answer within ${timeoutMs} ms`}
  return {kind: 'failed', error: `${node}: ${said}`}
}

export interface OnNodeRecordsOptions {
  /** The cluster's two nodes; the first is asked first until one serves. */
  nodes: string[]
  /** The drill's current connection to a node (it changes when the drill reconnects after a crash). */
  host(node: string): Host
  resource: string
  device: string
  mountPoint: string
  /** Test hook: canned /proc files. */
  files?: ServingFiles
}

export function onNodeRecords(opts: OnNodeRecordsOptions): RecordTransport {
  const target: ServingTarget = {resource: opts.resource, major: DRBD_MAJOR, minor: minorOf(opts.device), mountPoint: opts.mountPoint, files: opts.files}
  /** Nodes in the order the next operation asks them: the one that served last first. */
  let order = [...opts.nodes]
  const demote = (node: string) => {
    if (order[0] === node) order = [...order.slice(1), node]
  }
  let closed = false

  const run = async (node: string, script: string, label: string, timeoutMs: number): Promise<ExecResult | {error: string}> => {
    try {
      return await opts.host(node).run(script, {label, timeoutMs})
    } catch (e) {
      return {error: (e as Error).message}
    }
  }

  /** Runs the operation on the serving node: the first that serves answers; a failure there is the answer. */
  async function operate(path: string, timeoutMs: number, label: string, script: (rel: string, budgetMs: number) => string): Promise<TransportResult> {
    if (closed) return {ok: false, error: 'the drill transport is closed'}
    const rel = relativeToMount(opts.mountPoint, path)
    if (rel === undefined) return {ok: false, error: `${path} is not under the mount point ${opts.mountPoint}`}
    const started = Date.now()
    const errors: string[] = []
    for (const node of [...order]) {
      const left = timeoutMs - (Date.now() - started)
      if (left < MIN_OP_MS) {
        errors.push(`no time left to ask ${node} (${timeoutMs} ms)`)
        break
      }
      const answer = nodeAnswer(node, await run(node, script(rel, nodeBudgetMs(left)), label, left), timeoutMs)
      if (answer.kind === 'ok') {
        order = [node, ...order.filter((n) => n !== node)]
        return {ok: true, stdout: answer.stdout}
      }
      // The node serves but the operation failed there (a failed fsync, a missing file): that is the answer.
      if (answer.kind === 'failed') return {ok: false, error: answer.error}
      demote(node)
      errors.push(answer.error)
    }
    return {ok: false, error: errors.join('; ')}
  }

  return {
    describe: `on the node holding ${opts.mountPoint} over SSH (DRBD Primary and mounted checked per write, every write fsync'd)`,
    write: (path, content, timeoutMs) => operate(path, timeoutMs, 'drill write', (rel, budget) => writeScript(target, rel, content, budget)),
    read: (path, timeoutMs) => operate(path, timeoutMs, 'drill read', (rel, budget) => readScript(target, rel, budget)),
    list: (path, timeoutMs) => operate(path, timeoutMs, 'drill service probe', (rel, budget) => listScript(target, rel, budget)),
    async close() {
      closed = true // the SSH connections are the session's
    },
  }
}
