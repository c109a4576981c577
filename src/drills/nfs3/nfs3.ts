/**
 * NFSv3 procedures (RFC 1813 §3.3) over one RpcClient: each encodes its arguments, checks the
 * status and decodes the results. A status other than NFS3_OK throws Nfs3Error, named.
 */
import {NFS_PROG, NFS_VERS} from './portmap.js'
import type {RpcClient} from './rpc-client.js'
import {
  decodeFattr3,
  decodePostOpAttr,
  decodePostOpFh,
  decodeWcc,
  dirop,
  encodeSattr3,
  fh,
  NFS3_COOKIEVERFSIZE,
  NFS3_FHSIZE,
  NFS3_WRITEVERFSIZE,
  Nfs3Error,
  type Fattr3,
  type Sattr3,
} from './nfs3-xdr.js'
import {XdrReader, XdrWriter} from './xdr.js'

export const PROC = {NULL: 0, GETATTR: 1, SETATTR: 2, LOOKUP: 3, READ: 6, WRITE: 7, CREATE: 8, MKDIR: 9, READDIR: 16, COMMIT: 21} as const
type ProcName = keyof typeof PROC

/** stable_how: how far the server must have written before it answers. */
export const UNSTABLE = 0
export const DATA_SYNC = 1
export const FILE_SYNC = 2
export const STABLE_NAMES = ['UNSTABLE', 'DATA_SYNC', 'FILE_SYNC']

export type CreateMode = 'unchecked' | 'guarded'

export interface WriteResult {
  count: number
  committed: number
  verf: Buffer
}

export interface DirEntry {
  fileid: bigint
  name: string
  cookie: bigint
}

export interface ReaddirResult {
  entries: DirEntry[]
  eof: boolean
  cookieverf: Buffer
}

export const ZERO_VERF = Buffer.alloc(8)

/** What the procedures need of a connection (an RpcClient; a recorded fake in tests). */
export type RpcCaller = Pick<RpcClient, 'call'>

/** The procedures the drill's client needs; `what` in errors is the path the caller was after. */
export class Nfs3 {
  constructor(private readonly rpc: RpcCaller) {}

  private async call(proc: ProcName, args: XdrWriter, what: string, timeoutMs: number): Promise<XdrReader> {
    const r = await this.rpc.call(NFS_PROG, NFS_VERS, PROC[proc], proc, args.toBuffer(), timeoutMs)
    const status = r.uint32()
    if (status !== 0) throw new Nfs3Error(status, proc, what)
    return r
  }

  /** NULL: does the server answer at all. */
  async ping(timeoutMs: number): Promise<void> {
    await this.rpc.call(NFS_PROG, NFS_VERS, PROC.NULL, 'NULL', Buffer.alloc(0), timeoutMs)
  }

  async getattr(handle: Buffer, what: string, timeoutMs: number): Promise<Fattr3> {
    return decodeFattr3(await this.call('GETATTR', fh(new XdrWriter(), handle), what, timeoutMs))
  }

  /** SETATTR without a ctime guard. */
  async setattr(handle: Buffer, attrs: Sattr3, what: string, timeoutMs: number): Promise<Fattr3 | undefined> {
    const w = encodeSattr3(fh(new XdrWriter(), handle), attrs).bool(false)
    return decodeWcc(await this.call('SETATTR', w, what, timeoutMs))
  }

  async lookup(dir: Buffer, name: string, what: string, timeoutMs: number): Promise<{fh: Buffer; attr?: Fattr3}> {
    const r = await this.call('LOOKUP', dirop(new XdrWriter(), dir, name), what, timeoutMs)
    const handle = r.opaque(NFS3_FHSIZE)
    const attr = decodePostOpAttr(r)
    decodePostOpAttr(r) // the directory's
    return {fh: handle, attr}
  }

  /** CREATE UNCHECKED or GUARDED; the handle is optional in the reply (then LOOKUP it). */
  async create(dir: Buffer, name: string, mode: CreateMode, attrs: Sattr3, what: string, timeoutMs: number): Promise<{fh?: Buffer; attr?: Fattr3}> {
    const w = dirop(new XdrWriter(), dir, name).uint32(mode === 'unchecked' ? 0 : 1)
    const r = await this.call('CREATE', encodeSattr3(w, attrs), what, timeoutMs)
    return {fh: decodePostOpFh(r), attr: decodePostOpAttr(r)}
  }

  async mkdir(dir: Buffer, name: string, attrs: Sattr3, what: string, timeoutMs: number): Promise<{fh?: Buffer; attr?: Fattr3}> {
    const r = await this.call('MKDIR', encodeSattr3(dirop(new XdrWriter(), dir, name), attrs), what, timeoutMs)
    return {fh: decodePostOpFh(r), attr: decodePostOpAttr(r)}
  }

  async write(handle: Buffer, offset: bigint, data: Buffer, stable: number, what: string, timeoutMs: number): Promise<WriteResult> {
    const w = fh(new XdrWriter(), handle).uint64(offset).uint32(data.length).uint32(stable).opaque(data)
    const r = await this.call('WRITE', w, what, timeoutMs)
    decodeWcc(r)
    return {count: r.uint32(), committed: r.uint32(), verf: r.fixedOpaque(NFS3_WRITEVERFSIZE)}
  }

  /** COMMIT of `count` bytes from `offset` (0, 0 = the whole file); returns the write verifier. */
  async commit(handle: Buffer, offset: bigint, count: number, what: string, timeoutMs: number): Promise<Buffer> {
    const r = await this.call('COMMIT', fh(new XdrWriter(), handle).uint64(offset).uint32(count), what, timeoutMs)
    decodeWcc(r)
    return r.fixedOpaque(NFS3_WRITEVERFSIZE)
  }

  async read(handle: Buffer, offset: bigint, count: number, what: string, timeoutMs: number): Promise<{data: Buffer; eof: boolean}> {
    const r = await this.call('READ', fh(new XdrWriter(), handle).uint64(offset).uint32(count), what, timeoutMs)
    decodePostOpAttr(r)
    r.uint32() // count: the opaque's own length is what counts
    const eof = r.bool()
    return {eof, data: r.opaque()}
  }

  async readdir(dir: Buffer, cookie: bigint, cookieverf: Buffer, count: number, what: string, timeoutMs: number): Promise<ReaddirResult> {
    const w = fh(new XdrWriter(), dir).uint64(cookie).fixedOpaque(cookieverf, NFS3_COOKIEVERFSIZE).uint32(count)
    const r = await this.call('READDIR', w, what, timeoutMs)
    return decodeReaddir(r)
  }
}

/** READDIR3resok: dir attributes, cookie verifier, then a linked list of entries and eof. */
export function decodeReaddir(r: XdrReader): ReaddirResult {
  decodePostOpAttr(r)
  const cookieverf = r.fixedOpaque(NFS3_COOKIEVERFSIZE)
  const entries: DirEntry[] = []
  while (r.bool()) entries.push({fileid: r.uint64(), name: r.string(255), cookie: r.uint64()})
  return {entries, eof: r.bool(), cookieverf}
}
