/**
 * File operations made of several NFSv3 calls, all under one deadline: a stable write (FILE_SYNC,
 * or UNSTABLE/DATA_SYNC followed by a COMMIT whose verifier must match), reading a whole file,
 * listing a directory, creating-or-truncating a file and making a directory if missing.
 */
import {RpcError} from './rpc-client.js'
import {FILE_SYNC, ZERO_VERF, type Nfs3, type WriteResult} from './nfs3.js'
import {NFS3ERR_EXIST, NFS3ERR_NOENT, Nfs3Error} from './nfs3-xdr.js'

/** Chunk size for READ and WRITE: below every server's rtmax/wtmax (Linux: 1 MiB, old ones 32 KiB). */
export const IO_CHUNK = 32 * 1024
const READDIR_COUNT = 32 * 1024
/** How often a write is started over after the server lost uncommitted data (a reboot). */
const MAX_WRITE_ROUNDS = 3

export class Deadline {
  private readonly end: number

  constructor(
    readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.end = now() + timeoutMs
  }

  /** Milliseconds left for the next call; throws once there are none. */
  left(): number {
    const ms = Math.ceil(this.end - this.now())
    if (ms <= 0) throw new RpcError('timeout', `no answer within ${this.timeoutMs} ms`)
    return ms
  }
}

export type StableWriter = Pick<Nfs3, 'write' | 'commit'>

/**
 * Writes `data` from offset 0 so that, when this returns, the server has it on stable storage:
 * each WRITE asks for FILE_SYNC; if the server only promises less, a COMMIT follows, and its
 * verifier must equal the one of every uncommitted WRITE (a different one means the server
 * restarted in between and may have lost them: write again).
 */
export async function writeStable(nfs: StableWriter, handle: Buffer, data: Buffer, what: string, deadline: Deadline): Promise<{committedBy: 'write' | 'commit'; rounds: number}> {
  for (let round = 1; round <= MAX_WRITE_ROUNDS; round++) {
    let uncommitted: Buffer | undefined
    let lost = false
    let offset = 0
    do {
      const chunk = data.subarray(offset, offset + IO_CHUNK)
      const r: WriteResult = await nfs.write(handle, BigInt(offset), chunk, FILE_SYNC, what, deadline.left())
      if (r.count === 0 && chunk.length > 0) throw new Nfs3Error(5, 'WRITE', `${what} (the server wrote 0 bytes)`)
      if (r.committed < FILE_SYNC) {
        if (uncommitted && !uncommitted.equals(r.verf)) lost = true
        uncommitted = r.verf
      }
      offset += Math.min(r.count, chunk.length)
    } while (offset < data.length && !lost)
    if (lost) continue
    if (!uncommitted) return {committedBy: 'write', rounds: round}
    const verf = await nfs.commit(handle, 0n, 0, what, deadline.left())
    if (verf.equals(uncommitted)) return {committedBy: 'commit', rounds: round}
  }
  throw new Nfs3Error(5, 'COMMIT', `${what} (the server's write verifier kept changing: it restarted during the write, data not known to be stable)`)
}

export async function readAll(nfs: Pick<Nfs3, 'read'>, handle: Buffer, what: string, deadline: Deadline): Promise<Buffer> {
  const parts: Buffer[] = []
  let offset = 0n
  for (;;) {
    const {data, eof} = await nfs.read(handle, offset, IO_CHUNK, what, deadline.left())
    parts.push(data)
    offset += BigInt(data.length)
    if (eof) return Buffer.concat(parts)
    if (data.length === 0) throw new Nfs3Error(5, 'READ', `${what} (no data and no end of file)`)
  }
}

/** Names in a directory, without `.` and `..`, in the server's order. */
export async function listNames(nfs: Pick<Nfs3, 'readdir'>, dir: Buffer, what: string, deadline: Deadline): Promise<string[]> {
  const names: string[] = []
  let cookie = 0n
  let verf: Buffer = ZERO_VERF
  for (;;) {
    const r = await nfs.readdir(dir, cookie, verf, READDIR_COUNT, what, deadline.left())
    for (const e of r.entries) if (e.name !== '.' && e.name !== '..') names.push(e.name)
    if (r.eof) return names
    if (!r.entries.length) throw new Nfs3Error(5, 'READDIR', `${what} (no entries and no end of directory)`)
    cookie = r.entries.at(-1)!.cookie
    verf = r.cookieverf
  }
}

const FILE_MODE = 0o644
const DIR_MODE = 0o755

type FileNfs = Pick<Nfs3, 'create' | 'lookup' | 'setattr' | 'mkdir'>

/**
 * A handle to an empty file `name` in `dir`: CREATE GUARDED (mode 0644); if the file exists
 * (a retried write, or the same record again), LOOKUP and truncate it with SETATTR size 0.
 */
export async function createEmpty(nfs: FileNfs, dir: Buffer, name: string, what: string, deadline: Deadline): Promise<Buffer> {
  try {
    const made = await nfs.create(dir, name, 'guarded', {mode: FILE_MODE, size: 0}, what, deadline.left())
    return made.fh ?? (await nfs.lookup(dir, name, what, deadline.left())).fh
  } catch (e) {
    if (!(e instanceof Nfs3Error && e.status === NFS3ERR_EXIST)) throw e
  }
  const found = await nfs.lookup(dir, name, what, deadline.left())
  await nfs.setattr(found.fh, {size: 0}, what, deadline.left())
  return found.fh
}

/** The handle of directory `name` in `dir`, made (mode 0755) when missing. */
export async function ensureDir(nfs: FileNfs, dir: Buffer, name: string, what: string, deadline: Deadline): Promise<Buffer> {
  try {
    return (await nfs.lookup(dir, name, what, deadline.left())).fh
  } catch (e) {
    if (!(e instanceof Nfs3Error && e.status === NFS3ERR_NOENT)) throw e
  }
  try {
    const made = await nfs.mkdir(dir, name, {mode: DIR_MODE}, what, deadline.left())
    if (made.fh) return made.fh
  } catch (e) {
    if (!(e instanceof Nfs3Error && e.status === NFS3ERR_EXIST)) throw e // made by someone else meanwhile
  }
  return (await nfs.lookup(dir, name, what, deadline.left())).fh
}
