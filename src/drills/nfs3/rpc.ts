/**
 * ONC RPC version 2 messages (RFC 5531) and TCP record marking, as pure functions: a call is
 * built from its header, AUTH_UNIX credential and XDR arguments; a reply is parsed into either
 * the procedure's results or a structured error. The socket side is in rpc-client.ts.
 */
import {XdrError, XdrReader, XdrWriter} from './xdr.js'

export const RPC_VERSION = 2
const MSG_CALL = 0
const MSG_REPLY = 1
const MSG_ACCEPTED = 0
const MSG_DENIED = 1

export const AUTH_NONE = 0
export const AUTH_UNIX = 1

/** Program numbers (for messages that say which server refused what). */
export const PROGRAMS: Record<number, string> = {100000: 'portmapper', 100003: 'nfs', 100005: 'mountd'}

const ACCEPT_STATS = ['SUCCESS', 'PROG_UNAVAIL', 'PROG_MISMATCH', 'PROC_UNAVAIL', 'GARBAGE_ARGS', 'SYSTEM_ERR'] as const
const AUTH_STATS = [
  'AUTH_OK',
  'AUTH_BADCRED',
  'AUTH_REJECTEDCRED',
  'AUTH_BADVERF',
  'AUTH_REJECTEDVERF',
  'AUTH_TOOWEAK',
  'AUTH_INVALIDRESP',
  'AUTH_FAILED',
  'AUTH_KERB_GENERIC',
  'AUTH_TIMEEXPIRE',
  'AUTH_TKT_FILE',
  'AUTH_DECODE',
  'AUTH_NET_ADDR',
  'RPCSEC_GSS_CREDPROBLEM',
  'RPCSEC_GSS_CTXPROBLEM',
] as const

export interface AuthUnix {
  stamp: number
  machine: string
  uid: number
  gid: number
  gids: number[]
}

/** What the drill sends: root (the exports are no_root_squash) from a recognisable machine name. */
export const drillAuth = (stamp = Math.floor(Date.now() / 1000) >>> 0): AuthUnix => ({stamp, machine: 'hapair-drill', uid: 0, gid: 0, gids: []})

/** opaque_auth of flavor AUTH_UNIX: the authsys_parms body as a variable opaque. */
export function encodeAuthUnix(a: AuthUnix): Buffer {
  const body = new XdrWriter().uint32(a.stamp).string(a.machine, 255).uint32(a.uid).uint32(a.gid)
  body.uint32(a.gids.length)
  for (const g of a.gids) body.uint32(g)
  return new XdrWriter().uint32(AUTH_UNIX).opaque(body.toBuffer(), 400).toBuffer()
}

const AUTH_NONE_VERF = new XdrWriter().uint32(AUTH_NONE).uint32(0).toBuffer()

export interface CallHeader {
  xid: number
  prog: number
  vers: number
  proc: number
}

/** call_body with the given credential (already encoded) and an AUTH_NONE verifier. */
export function encodeCall(h: CallHeader, cred: Buffer, args: Buffer): Buffer {
  return new XdrWriter()
    .uint32(h.xid)
    .uint32(MSG_CALL)
    .uint32(RPC_VERSION)
    .uint32(h.prog)
    .uint32(h.vers)
    .uint32(h.proc)
    .raw(cred)
    .raw(AUTH_NONE_VERF)
    .raw(args)
    .toBuffer()
}

const LAST_FRAGMENT = 0x80000000

/** Record marking (RFC 5531 §11): one or more fragments, each a 4-byte header (last bit + length). */
export function frameRecord(message: Buffer, maxFragment = 0x7fffffff): Buffer {
  const parts: Buffer[] = []
  let at = 0
  do {
    const n = Math.min(maxFragment, message.length - at)
    const header = Buffer.alloc(4)
    header.writeUInt32BE((at + n >= message.length ? LAST_FRAGMENT : 0) + n)
    parts.push(header, message.subarray(at, at + n))
    at += n
  } while (at < message.length)
  return Buffer.concat(parts)
}

/** Reassembles records from a TCP byte stream cut anywhere. */
export class RecordAssembler {
  private pending: Buffer = Buffer.alloc(0)
  private fragments: Buffer[] = []
  private recordSize = 0

  constructor(private readonly maxRecord = 8 * 1024 * 1024) {}

  /** Feeds bytes; returns the records they complete. Throws XdrError on an oversized record. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk
    const done: Buffer[] = []
    while (this.pending.length >= 4) {
      const header = this.pending.readUInt32BE(0)
      const length = header & 0x7fffffff
      if (this.recordSize + length > this.maxRecord) throw new XdrError(`RPC record larger than ${this.maxRecord} bytes: the stream is out of step`)
      if (this.pending.length < 4 + length) break
      this.fragments.push(this.pending.subarray(4, 4 + length))
      this.recordSize += length
      this.pending = this.pending.subarray(4 + length)
      if (header & LAST_FRAGMENT) {
        done.push(Buffer.concat(this.fragments))
        this.fragments = []
        this.recordSize = 0
      }
    }
    return done
  }
}

export type ReplyErrorCode = Exclude<(typeof ACCEPT_STATS)[number], 'SUCCESS'> | 'RPC_MISMATCH' | (typeof AUTH_STATS)[number] | 'UNKNOWN'

export type ParsedReply =
  | {xid: number; ok: true; results: XdrReader}
  | {xid: number; ok: false; code: ReplyErrorCode; low?: number; high?: number}

/** Just the xid of a record (to find its call), or undefined if it is not even that long. */
export const replyXid = (record: Buffer): number | undefined => (record.length >= 4 ? record.readUInt32BE(0) : undefined)

/** Parses a reply message; throws XdrError when it is not one (a CALL, or garbage). */
export function parseReply(record: Buffer): ParsedReply {
  const r = new XdrReader(record)
  const xid = r.uint32()
  const mtype = r.uint32()
  if (mtype !== MSG_REPLY) throw new XdrError(`expected an RPC reply, got message type ${mtype}`)
  const stat = r.uint32()
  if (stat === MSG_ACCEPTED) {
    r.uint32() // verifier flavor (AUTH_NONE, or AUTH_SHORT which we never reuse)
    r.opaque(400)
    const accept = r.uint32()
    if (accept === 0) return {xid, ok: true, results: r}
    const code = ACCEPT_STATS[accept] ?? 'UNKNOWN'
    if (code === 'PROG_MISMATCH') return {xid, ok: false, code, low: r.uint32(), high: r.uint32()}
    return {xid, ok: false, code: code as ReplyErrorCode}
  }
  if (stat === MSG_DENIED) {
    const reject = r.uint32()
    if (reject === 0) return {xid, ok: false, code: 'RPC_MISMATCH', low: r.uint32(), high: r.uint32()}
    if (reject === 1) return {xid, ok: false, code: AUTH_STATS[r.uint32()] ?? 'UNKNOWN'}
    return {xid, ok: false, code: 'UNKNOWN'}
  }
  throw new XdrError(`unknown reply_stat ${stat}`)
}

const HINTS: Partial<Record<ReplyErrorCode, string>> = {
  PROG_UNAVAIL: 'the program is not served on this port',
  PROC_UNAVAIL: 'the server does not implement this procedure',
  GARBAGE_ARGS: 'the server could not decode the arguments',
  SYSTEM_ERR: 'the server failed (memory, or an internal error)',
  AUTH_TOOWEAK: 'the server refuses this client: an unprivileged source port (not root?) under the "secure" export option, or it wants Kerberos',
  AUTH_BADCRED: 'the server rejected the AUTH_UNIX credential',
  AUTH_REJECTEDCRED: 'the server rejected the AUTH_UNIX credential',
}

/** `nfs v3 WRITE refused: PROG_MISMATCH (server has versions 2-4)`. */
export function describeReplyError(e: Extract<ParsedReply, {ok: false}>, call: string): string {
  const range = e.low !== undefined ? ` (server has versions ${e.low}-${e.high})` : ''
  const hint = HINTS[e.code] ? `: ${HINTS[e.code]}` : ''
  return `${call} refused: ${e.code}${range}${hint}`
}
