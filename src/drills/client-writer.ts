/**
 * The drill's client: writes numbered records through the VIP's NFS export every
 * drill.writeIntervalMs, one at a time, each under its own timeout (a hung server stalls one
 * write, never the writer), reads each back, and remembers every write the server acknowledged.
 * It runs where the operator said: on this machine with hapair's own NFSv3 client
 * (`drill.client: local`, nfs3/transport.ts; the lab runs hapair in its client namespace), or on a
 * client node over SSH with that node's kernel NFS client (remote-kernel-nfs.ts). Both acknowledge
 * a record only once it is on the server's stable storage (a FILE_SYNC write, or an fsync that
 * COMMITs), so a power loss of the active node cannot take an acknowledged record with it.
 * (libnfs' nfs-cp, used here before, sends UNSTABLE writes and no COMMIT: it could not promise that.)
 * A stack that serves no network client has the same writer over on-node-records.ts instead.
 */
import {randomBytes} from 'node:crypto'
import {makeRecord, recordIntact, recordName} from './records.js'
import type {ServiceSample, WriteAttempt} from './timeline.js'

export interface TransportResult {
  ok: boolean
  stdout?: string
  error?: string
}

/**
 * How the client reaches the records: three operations, each bounded by its own timeout. URLs are
 * `nfs://` URLs for NFS stacks, plain paths under the mount point for the on-node writer.
 */
export interface RecordTransport {
  readonly describe: string
  /** Creates or replaces the file at `url` with `content`. */
  write(url: string, content: string, timeoutMs: number): Promise<TransportResult>
  read(url: string, timeoutMs: number): Promise<TransportResult>
  /** Lists a directory: the service answers. */
  list(url: string, timeoutMs: number): Promise<TransportResult>
  close(): Promise<void>
}

/** NFSv3 by default: no grace period on the new server, and what the seeds' clients mount. */
export function nfsUrl(vip: string, path: string, version: 3 | 4 = 3): string {
  const clean = `/${path.replace(/^\/+/, '')}`.replace(/\/+$/, '') || '/'
  return `nfs://${vip}${clean}?version=${version}`
}

/**
 * The native NFSv3 client on this machine (src/drills/nfs3): FILE_SYNC writes, so an acknowledged
 * record is on the server's stable storage.
 */
export {nativeNfs3, type NativeNfs3Options} from './nfs3/transport.js'

export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
}

export interface WriterOptions {
  transport: RecordTransport
  /** NFS URL of the drill directory (`nfs://VIP/export/.hapair-drill/RUN?version=3`). */
  dirUrl: string
  intervalMs: number
  timeoutMs: number
  clock?: Clock
}

/** Writes records one after another until stopped; see the module comment. */
export class ClientWriter {
  readonly attempts: WriteAttempt[] = []
  /** sha256 of every acknowledged record, by number. */
  readonly acked = new Map<number, string>()
  /** Records acknowledged but not read back intact right after (kept for the report; the final check decides). */
  readonly readBackProblems: Array<{seq: number; error: string}> = []
  private seq = 0
  private stopped = false
  private loop?: Promise<void>
  private readonly clock: Clock

  constructor(private readonly opts: WriterOptions) {
    this.clock = opts.clock ?? realClock
  }

  start(): void {
    this.loop ??= this.run()
  }

  async stop(): Promise<void> {
    this.stopped = true
    await this.loop
  }

  /** Acknowledged writes that ended after `t`. */
  acksAfter(t: number): number {
    return this.attempts.filter((a) => a.ok && a.endMs > t).length
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const started = this.clock.now()
      await this.writeOne()
      await this.clock.sleep(this.opts.intervalMs - (this.clock.now() - started))
    }
  }

  private async writeOne(): Promise<void> {
    const seq = ++this.seq
    const record = makeRecord(seq, new Date(), randomBytes(16))
    const url = withFile(this.opts.dirUrl, recordName(seq))
    const startMs = this.clock.now()
    const result = await this.opts.transport.write(url, record.content, this.opts.timeoutMs)
    const endMs = this.clock.now()
    this.attempts.push({seq, startMs, endMs, ok: result.ok, error: result.error})
    if (!result.ok) return
    this.acked.set(seq, record.sha256)
    const back = await this.opts.transport.read(url, this.opts.timeoutMs)
    if (!back.ok) this.readBackProblems.push({seq, error: `read back failed: ${back.error}`})
    else if (!recordIntact(back.stdout ?? '', seq)) this.readBackProblems.push({seq, error: 'read back differs from what was written'})
  }
}

/** The service probe: lists the drill directory through the VIP every `everyMs`. */
export class ServiceProber {
  readonly samples: ServiceSample[] = []
  private stopped = false
  private loop?: Promise<void>
  private readonly clock: Clock

  constructor(
    private readonly transport: RecordTransport,
    private readonly dirUrl: string,
    private readonly everyMs: number,
    private readonly timeoutMs: number,
    clock?: Clock,
  ) {
    this.clock = clock ?? realClock
  }

  start(): void {
    this.loop ??= (async () => {
      while (!this.stopped) {
        const sentMs = this.clock.now()
        const r = await this.transport.list(this.dirUrl, this.timeoutMs)
        this.samples.push({sentMs, receivedMs: this.clock.now(), ok: r.ok})
        await this.clock.sleep(this.everyMs - (this.clock.now() - sentMs))
      }
    })()
  }

  async stop(): Promise<void> {
    this.stopped = true
    await this.loop
  }
}

/** `nfs://vip/dir?version=3` + `rec-1` -> `nfs://vip/dir/rec-1?version=3`. */
export function withFile(dirUrl: string, name: string): string {
  const q = dirUrl.indexOf('?')
  const base = q < 0 ? dirUrl : dirUrl.slice(0, q)
  return `${base.replace(/\/+$/, '')}/${name}${q < 0 ? '' : dirUrl.slice(q)}`
}
