/**
 * The drill's RecordTransport spoken natively: NFSv3 over TCP from this process, every write
 * FILE_SYNC (or committed), so an acknowledged record is on the server's stable storage (the
 * DRBD device) and not only in its page cache, which a power loss of the active node would take
 * with it. No process per operation either, so the timings are the protocol's own.
 *
 * Each operation runs under its own deadline and never throws: failures are `{ok: false, error}`.
 * When the connection ends (the server closed or reset it, a call timed out) or the server calls a
 * handle stale, the session (ports, mount, handles) is thrown away. An operation that lost its
 * connection or met a stale handle mid-way tries again on a fresh session (up to three sessions
 * in all, within its deadline); one that found the server unreachable or silent fails at once, so
 * the writer's next attempt measures the outage. NFS3ERR_JUKEBOX (grace period) is retried after
 * a pause. Every retried step is idempotent: CREATE GUARDED falls back to truncating, and a
 * FILE_SYNC WRITE at offset 0 of the same bytes may be repeated.
 */
import type {RecordTransport, TransportResult} from '../client-writer.js'
import {createEmpty, Deadline, listNames, readAll, writeStable} from './file-ops.js'
import {Nfs3Error} from './nfs3-xdr.js'
import {RpcError} from './rpc-client.js'
import {Nfs3Session, type SessionOptions} from './session.js'
import {parseNfsUrl} from './url.js'

export type NativeNfs3Options = SessionOptions

const JUKEBOX_PAUSE_MS = 250
/** Fresh sessions tried within one operation after a stale handle or a lost connection. */
const MAX_ATTEMPTS = 3

export interface NativeNfs3Transport extends RecordTransport {
  /** How many sessions (mounts) were opened so far: reconnects show as more than one. */
  readonly sessionsOpened: number
}

export function nativeNfs3(opts: NativeNfs3Options = {}): NativeNfs3Transport {
  const sessions = new Set<Nfs3Session>()
  const opening = new Map<string, Promise<Nfs3Session>>()
  let opened = 0

  const forget = (s: Nfs3Session) => {
    if (sessions.delete(s)) s.discard()
  }

  const find = (host: string, path: string) => {
    for (const s of sessions) if (!s.usable) forget(s)
    return [...sessions].find((s) => s.host === host && s.relative(path))
  }

  /**
   * The session for `path` on `host`. One mount at a time per host: whoever asks while one is
   * being opened shares its outcome (the writer and the prober fail or succeed together).
   */
  const sessionFor = async (host: string, path: string, deadline: Deadline): Promise<Nfs3Session> => {
    for (;;) {
      const found = find(host, path)
      if (found) return found
      const pending = opening.get(host)
      if (pending) {
        if ((await pending).relative(path)) return pending
        continue // a mount of another export: open ours next
      }
      const p = Nfs3Session.open(host, path, opts, deadline).then((s) => {
        opened++
        sessions.add(s)
        return s
      })
      opening.set(host, p)
      p.catch(() => undefined).finally(() => opening.delete(host))
      return p
    }
  }

  /** Runs `op` on the session for `sessionPath`, renewing the session when it went bad. */
  async function withSession<T>(host: string, sessionPath: string, timeoutMs: number, op: (s: Nfs3Session, d: Deadline) => Promise<T>): Promise<T> {
    const deadline = new Deadline(timeoutMs)
    for (let attempt = 1; ; attempt++) {
      const s = await sessionFor(host, sessionPath, deadline)
      try {
        return await op(s, deadline)
      } catch (e) {
        if (e instanceof Nfs3Error && e.retryable) {
          await new Promise((r) => setTimeout(r, Math.min(JUKEBOX_PAUSE_MS, deadline.left())))
          continue
        }
        const badSession = (e instanceof Nfs3Error && e.stale) || (e instanceof RpcError && e.kind !== 'refused')
        if (badSession) forget(s)
        // Retry on a fresh session only when the old one broke under us, not when the server is unreachable or silent.
        const worthRetry = badSession && !(e instanceof RpcError && (e.kind === 'timeout' || e.kind === 'connect'))
        if (!worthRetry || attempt >= MAX_ATTEMPTS) throw e
      }
    }
  }

  /** Bounds the whole operation too, and turns every failure into `{ok: false}`. */
  async function guard(timeoutMs: number, op: () => Promise<TransportResult>): Promise<TransportResult> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<TransportResult>((resolve) => {
      timer = setTimeout(() => resolve({ok: false, error: `no answer within ${timeoutMs} ms`}), timeoutMs + 50)
    })
    try {
      return await Promise.race([op(), late])
    } catch (e) {
      const err = e as Error
      return {ok: false, error: e instanceof RpcError && e.kind === 'timeout' ? `no answer within ${timeoutMs} ms${e.waitingFor ? ` (waiting for ${e.waitingFor})` : ''}` : err.message}
    } finally {
      clearTimeout(timer)
    }
  }

  const split = (url: string) => {
    const {host, path} = parseNfsUrl(url)
    const parent = path.replace(/\/[^/]*$/, '') || '/'
    return {host, path, parent}
  }

  return {
    describe: 'hapair NFSv3 client on this machine (FILE_SYNC writes)',
    get sessionsOpened() {
      return opened
    },

    write: (url, content, timeoutMs) =>
      guard(timeoutMs, async () => {
        const {host, path, parent} = split(url)
        await withSession(host, parent, timeoutMs, async (s, d) => {
          const segments = s.relative(path)!
          if (!segments.length) throw new Error(`${url} names the export itself, not a file`)
          const dir = await s.dir(segments.slice(0, -1), true, d)
          const fh = await createEmpty(s.nfs, dir, segments.at(-1)!, path, d)
          s.rememberFile(segments, fh)
          await writeStable(s.nfs, fh, Buffer.from(content, 'utf8'), path, d)
        })
        return {ok: true, stdout: ''}
      }),

    read: (url, timeoutMs) =>
      guard(timeoutMs, async () => {
        const {host, path, parent} = split(url)
        const data = await withSession(host, parent, timeoutMs, async (s, d) => readAll(s.nfs, await s.file(s.relative(path)!, d), path, d))
        return {ok: true, stdout: data.toString('utf8')}
      }),

    list: (url, timeoutMs) =>
      guard(timeoutMs, async () => {
        const {host, path} = split(url)
        const names = await withSession(host, path, timeoutMs, async (s, d) => listNames(s.nfs, await s.dir(s.relative(path)!, false, d), path, d))
        return {ok: true, stdout: names.map((n) => `${n}\n`).join('')}
      }),

    async close() {
      const all = [...sessions]
      sessions.clear()
      await Promise.all(all.map((s) => s.close()))
    },
  }
}
