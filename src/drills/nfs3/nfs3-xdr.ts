/**
 * NFSv3 data types (RFC 1813 §2.5-2.6) the drill's client uses: status codes with their names,
 * file attributes, settable attributes, and the optional-attribute wrappers around them.
 */
import {XdrReader, XdrWriter} from './xdr.js'

export const NFS3_FHSIZE = 64
export const NFS3_WRITEVERFSIZE = 8
export const NFS3_COOKIEVERFSIZE = 8

export const NFS3_STATUS: Record<number, string> = {
  0: 'NFS3_OK',
  1: 'NFS3ERR_PERM',
  2: 'NFS3ERR_NOENT',
  5: 'NFS3ERR_IO',
  6: 'NFS3ERR_NXIO',
  13: 'NFS3ERR_ACCES',
  17: 'NFS3ERR_EXIST',
  18: 'NFS3ERR_XDEV',
  19: 'NFS3ERR_NODEV',
  20: 'NFS3ERR_NOTDIR',
  21: 'NFS3ERR_ISDIR',
  22: 'NFS3ERR_INVAL',
  27: 'NFS3ERR_FBIG',
  28: 'NFS3ERR_NOSPC',
  30: 'NFS3ERR_ROFS',
  31: 'NFS3ERR_MLINK',
  63: 'NFS3ERR_NAMETOOLONG',
  66: 'NFS3ERR_NOTEMPTY',
  69: 'NFS3ERR_DQUOT',
  70: 'NFS3ERR_STALE',
  71: 'NFS3ERR_REMOTE',
  10001: 'NFS3ERR_BADHANDLE',
  10002: 'NFS3ERR_NOT_SYNC',
  10003: 'NFS3ERR_BAD_COOKIE',
  10004: 'NFS3ERR_NOTSUPP',
  10005: 'NFS3ERR_TOOSMALL',
  10006: 'NFS3ERR_SERVERFAULT',
  10007: 'NFS3ERR_BADTYPE',
  10008: 'NFS3ERR_JUKEBOX',
}

const MEANING: Record<number, string> = {
  1: 'not owner',
  2: 'no such file or directory',
  5: 'I/O error on the server',
  13: 'permission denied',
  17: 'file exists',
  20: 'not a directory',
  21: 'is a directory',
  28: 'no space left on the server',
  30: 'read-only file system',
  70: 'stale file handle: the server no longer knows this file (restarted or failed over without a stable fsid?)',
  10001: 'bad file handle',
  10008: 'the server is busy or in its grace period; retry later',
}

export const NFS3ERR_NOENT = 2
export const NFS3ERR_EXIST = 17
export const NFS3ERR_STALE = 70
export const NFS3ERR_BADHANDLE = 10001
export const NFS3ERR_JUKEBOX = 10008

/** A procedure answered with a status other than NFS3_OK. */
export class Nfs3Error extends Error {
  readonly statusName: string

  constructor(
    readonly status: number,
    readonly proc: string,
    readonly what: string,
  ) {
    const name = NFS3_STATUS[status] ?? `status ${status}`
    super(`nfs ${proc} ${what}: ${name}${MEANING[status] ? ` (${MEANING[status]})` : ''}`)
    this.name = 'Nfs3Error'
    this.statusName = name
  }

  /** The handle is no longer valid: forget cached handles, mount again, look up again. */
  get stale(): boolean {
    return this.status === NFS3ERR_STALE || this.status === NFS3ERR_BADHANDLE
  }

  /** Try again shortly: the server is in grace or busy. */
  get retryable(): boolean {
    return this.status === NFS3ERR_JUKEBOX
  }
}

export const FILE_TYPES = ['', 'REG', 'DIR', 'BLK', 'CHR', 'LNK', 'SOCK', 'FIFO'] as const
export const NF3REG = 1
export const NF3DIR = 2

export interface NfsTime {
  seconds: number
  nseconds: number
}

export interface Fattr3 {
  type: number
  mode: number
  nlink: number
  uid: number
  gid: number
  size: bigint
  used: bigint
  fsid: bigint
  fileid: bigint
  atime: NfsTime
  mtime: NfsTime
  ctime: NfsTime
}

const time = (r: XdrReader): NfsTime => ({seconds: r.uint32(), nseconds: r.uint32()})

export function decodeFattr3(r: XdrReader): Fattr3 {
  const type = r.uint32()
  const mode = r.uint32()
  const nlink = r.uint32()
  const uid = r.uint32()
  const gid = r.uint32()
  const size = r.uint64()
  const used = r.uint64()
  r.uint32() // rdev specdata1
  r.uint32() // rdev specdata2
  const fsid = r.uint64()
  const fileid = r.uint64()
  return {type, mode, nlink, uid, gid, size, used, fsid, fileid, atime: time(r), mtime: time(r), ctime: time(r)}
}

export const decodePostOpAttr = (r: XdrReader): Fattr3 | undefined => (r.bool() ? decodeFattr3(r) : undefined)

/** wcc_data: pre_op_attr (size, mtime, ctime) then post_op_attr; only the latter is kept. */
export function decodeWcc(r: XdrReader): Fattr3 | undefined {
  if (r.bool()) r.skip(24)
  return decodePostOpAttr(r)
}

export const decodePostOpFh = (r: XdrReader): Buffer | undefined => (r.bool() ? r.opaque(NFS3_FHSIZE) : undefined)

export interface Sattr3 {
  mode?: number
  uid?: number
  gid?: number
  size?: bigint | number
  /** Only "now, by the server's clock" is offered: the drill never sets times of its own. */
  atimeNow?: boolean
  mtimeNow?: boolean
}

export function encodeSattr3(w: XdrWriter, s: Sattr3): XdrWriter {
  const opt = (v: number | undefined) => (v === undefined ? w.bool(false) : w.bool(true).uint32(v))
  opt(s.mode)
  opt(s.uid)
  opt(s.gid)
  if (s.size === undefined) w.bool(false)
  else w.bool(true).uint64(s.size)
  w.uint32(s.atimeNow ? 1 : 0) // time_how: DONT_CHANGE = 0, SET_TO_SERVER_TIME = 1
  w.uint32(s.mtimeNow ? 1 : 0)
  return w
}

export const fh = (w: XdrWriter, handle: Buffer): XdrWriter => w.opaque(handle, NFS3_FHSIZE)

/** diropargs3: a directory handle and a name in it. */
export const dirop = (w: XdrWriter, dir: Buffer, name: string): XdrWriter => fh(w, dir).string(name, 255)
