/**
 * One ONC RPC connection over TCP to one server port, shared by concurrent calls (replies are
 * matched by xid). Every call has its own timeout. A call that times out, a reset, or the server
 * closing the connection ends the connection: every call still waiting fails with a message
 * saying why, and the next call connects again. That is what a failover looks like from here
 * (the VIP moves; the old connection is dead or answered with a reset), and a hung connection
 * must not swallow the calls after it.
 *
 * The source port is privileged (665-1023): Linux nfsd and mountd refuse others under the
 * default `secure` export option. Binding one needs root; without root the client falls back to
 * an ordinary port (enough for `insecure` exports) and says so in the errors that follow.
 */
import {connect, type Socket} from 'node:net'
import {describeReplyError, drillAuth, encodeAuthUnix, encodeCall, frameRecord, parseReply, PROGRAMS, RecordAssembler, type AuthUnix} from './rpc.js'
import {XdrReader} from './xdr.js'

export type RpcErrorKind = 'timeout' | 'connect' | 'disconnected' | 'refused' | 'protocol'

/** A failed call. `kind` says whether the server answered (refused) or what went wrong on the way. */
export class RpcError extends Error {
  constructor(
    readonly kind: RpcErrorKind,
    message: string,
    /** For timeouts: what was waited for (`nfs v3 WRITE from 10.0.0.1:2049`). */
    readonly waitingFor?: string,
  ) {
    super(message)
    this.name = 'RpcError'
  }
}

export interface RpcClientOptions {
  host: string
  port: number
  /** Bind a privileged source port when allowed (default true; false for tests against a fake server). */
  privilegedPort?: boolean
  auth?: AuthUnix
  /** The range tried for the source port, lowest and highest. */
  portRange?: [number, number]
}

interface Pending {
  resolve(r: XdrReader): void
  reject(e: Error): void
  call: string
}

const PRIVILEGED: [number, number] = [665, 1023]
/** Ports in use or still in TIME_WAIT towards the same server: try another. */
const PORT_BUSY = new Set(['EADDRINUSE', 'EADDRNOTAVAIL'])
/** The last error each socket reported, for the message when it closes. */
const lastErrors = new WeakMap<Socket, Error>()

export const describeCall = (prog: number, vers: number, proc: string) => `${PROGRAMS[prog] ?? `program ${prog}`} v${vers} ${proc}`

export class RpcClient {
  private socket?: Socket
  private connecting?: {socket?: Socket; promise: Promise<Socket>}
  private readonly pending = new Map<number, Pending>()
  private xid = (Math.random() * 0x100000000) >>> 0
  private readonly cred: Buffer
  private closed = false
  /** Set when binding a privileged port was not allowed (not root) and an ordinary one was used. */
  unprivileged = false

  constructor(private readonly opts: RpcClientOptions) {
    this.cred = encodeAuthUnix(opts.auth ?? drillAuth())
  }

  get endpoint(): string {
    return `${this.opts.host}:${this.opts.port}`
  }

  /** True while a connection is open (for tests and diagnostics). */
  get connected(): boolean {
    return Boolean(this.socket && !this.socket.destroyed)
  }

  /** Sends one call; resolves with a reader positioned at the procedure's results. */
  call(prog: number, vers: number, proc: number, procName: string, args: Buffer, timeoutMs: number): Promise<XdrReader> {
    const call = describeCall(prog, vers, procName)
    if (this.closed) return Promise.reject(new RpcError('disconnected', `${call}: the client is closed`))
    return new Promise((resolve, reject) => {
      let settled = false
      const xid = this.nextXid()
      const finish = (fn: () => void) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.pending.delete(xid)
        fn()
      }
      const timer = setTimeout(() => {
        finish(() => reject(new RpcError('timeout', `${call}: no answer from ${this.endpoint} within ${timeoutMs} ms`, `${call} from ${this.endpoint}`)))
        this.drop(`an earlier call got no answer within ${timeoutMs} ms`)
      }, timeoutMs)
      this.ensureConnected(timeoutMs).then(
        (socket) => {
          if (settled) return
          this.pending.set(xid, {call, resolve: (r) => finish(() => resolve(r)), reject: (e) => finish(() => reject(e))})
          socket.write(frameRecord(encodeCall({xid, prog, vers, proc}, this.cred, args)))
        },
        (e: Error) => finish(() => reject(e instanceof RpcError ? new RpcError(e.kind, `${call}: ${e.message}`, e.waitingFor) : e)),
      )
    })
  }

  /** Ends the connection; calls still waiting fail. Later calls fail too. */
  close(): void {
    this.closed = true
    this.drop('the client was closed')
  }

  /** Ends the current connection (if any); the next call reconnects. */
  drop(reason: string): void {
    const socket = this.socket ?? this.connecting?.socket
    this.socket = undefined
    this.connecting = undefined
    socket?.destroy()
    const waiting = [...this.pending.values()]
    this.pending.clear()
    for (const p of waiting) p.reject(new RpcError('disconnected', `${p.call}: connection to ${this.endpoint} lost (${reason})`))
  }

  private nextXid(): number {
    this.xid = (this.xid + 1) >>> 0
    return this.xid
  }

  private ensureConnected(timeoutMs: number): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket)
    if (this.connecting) return this.connecting.promise
    const attempt = {} as {socket?: Socket; promise: Promise<Socket>}
    attempt.promise = this.openSocket(timeoutMs, (s) => (attempt.socket = s)).then(
      (socket) => {
        if (this.connecting !== attempt) {
          socket.destroy() // dropped while connecting
          throw new RpcError('disconnected', `connection to ${this.endpoint} abandoned`)
        }
        this.connecting = undefined
        this.socket = socket
        this.attach(socket)
        return socket
      },
      (e) => {
        if (this.connecting === attempt) this.connecting = undefined
        throw e
      },
    )
    this.connecting = attempt
    return attempt.promise
  }

  /** Connects from a free privileged port, trying the next one while the chosen one is busy. */
  private async openSocket(timeoutMs: number, onSocket: (s: Socket) => void): Promise<Socket> {
    const privileged = (this.opts.privilegedPort ?? true) && !this.unprivileged
    const [low, high] = this.opts.portRange ?? PRIVILEGED
    const span = high - low + 1
    const start = Math.floor(Math.random() * span)
    const deadline = Date.now() + timeoutMs
    const tries = privileged ? Math.min(span, 32) : 1
    let last: Error | undefined
    for (let i = 0; i < tries; i++) {
      const localPort = privileged ? low + ((start + i) % span) : undefined
      try {
        return await this.tryConnect(localPort, Math.max(1, deadline - Date.now()), onSocket)
      } catch (e) {
        last = e as Error
        const code = (e as NodeJS.ErrnoException).code
        if (code === 'EACCES' && privileged) {
          this.unprivileged = true // not root: an ordinary port, which only `insecure` exports accept
          return this.openSocket(Math.max(1, deadline - Date.now()), onSocket)
        }
        if (!code || !PORT_BUSY.has(code) || Date.now() >= deadline) break
      }
    }
    if (last instanceof RpcError) throw last
    const code = (last as NodeJS.ErrnoException | undefined)?.code
    throw new RpcError('connect', `cannot connect to ${this.endpoint}: ${code === 'ECONNREFUSED' ? 'connection refused (server not running?)' : (last?.message ?? 'no free source port')}`)
  }

  private tryConnect(localPort: number | undefined, timeoutMs: number, onSocket: (s: Socket) => void): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({host: this.opts.host, port: this.opts.port, ...(localPort ? {localPort} : {})})
      onSocket(socket)
      // Never without an error listener: an unhandled socket error would end the process.
      socket.on('error', (e) => {
        lastErrors.set(socket, e)
      })
      const done = (fn: () => void) => {
        clearTimeout(timer)
        socket.off('connect', onConnect)
        socket.off('close', onClose)
        fn()
      }
      const onConnect = () =>
        done(() => {
          socket.setNoDelay(true)
          resolve(socket)
        })
      const onClose = () => done(() => reject(lastErrors.get(socket) ?? new RpcError('connect', `connection to ${this.endpoint} closed while connecting`)))
      const timer = setTimeout(() => {
        done(() => reject(new RpcError('timeout', `no connection to ${this.endpoint} within ${timeoutMs} ms`, `a connection to ${this.endpoint}`)))
        socket.destroy()
      }, timeoutMs)
      socket.once('connect', onConnect)
      socket.once('close', onClose)
    })
  }

  private attach(socket: Socket): void {
    const assembler = new RecordAssembler()
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return
      try {
        for (const record of assembler.push(chunk)) this.deliver(record)
      } catch (e) {
        this.drop(`bad reply stream: ${(e as Error).message}`)
      }
    })
    socket.on('close', () => {
      if (this.socket === socket) this.drop(lastErrors.get(socket)?.message ?? 'closed by the server')
    })
  }

  private deliver(record: Buffer): void {
    const reply = parseReply(record)
    const p = this.pending.get(reply.xid)
    if (!p) return // the answer to a call that already timed out
    if (reply.ok) p.resolve(reply.results)
    else p.reject(new RpcError('refused', describeReplyError(reply, p.call)))
  }
}

