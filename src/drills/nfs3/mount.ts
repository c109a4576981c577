/**
 * MOUNT version 3 (RFC 1813 appendix I): EXPORT (which directories the server exports), MNT
 * (an export's root file handle) and UMNT (tell mountd we are done; only bookkeeping on the
 * server, so its failure is ignored).
 */
import {AUTH_NONE, AUTH_UNIX} from './rpc.js'
import {RpcError, type RpcClient} from './rpc-client.js'
import {MOUNT_PROG, MOUNT_VERS} from './portmap.js'
import {XdrReader, XdrWriter} from './xdr.js'

const MOUNTPROC3_MNT = 1
const MOUNTPROC3_UMNT = 3
const MOUNTPROC3_EXPORT = 5
const MNTPATHLEN = 1024
const FHSIZE3 = 64

export const MOUNT_STATUS: Record<number, string> = {
  0: 'MNT3_OK',
  1: 'MNT3ERR_PERM',
  2: 'MNT3ERR_NOENT',
  5: 'MNT3ERR_IO',
  13: 'MNT3ERR_ACCES',
  20: 'MNT3ERR_NOTDIR',
  22: 'MNT3ERR_INVAL',
  63: 'MNT3ERR_NAMETOOLONG',
  10004: 'MNT3ERR_NOTSUPP',
  10006: 'MNT3ERR_SERVERFAULT',
}

export interface Mounted {
  fh: Buffer
  /** Security flavors the export accepts (1 = AUTH_UNIX). */
  flavors: number[]
}

export class MountError extends RpcError {
  constructor(
    readonly status: number,
    readonly path: string,
  ) {
    super('refused', `mountd refused ${path}: ${MOUNT_STATUS[status] ?? `status ${status}`}`)
    this.name = 'MountError'
  }
}

export const encodeDirpath = (path: string): Buffer => new XdrWriter().string(path, MNTPATHLEN).toBuffer()

export function decodeMnt(r: XdrReader, path: string): Mounted {
  const status = r.uint32()
  if (status !== 0) throw new MountError(status, path)
  const fh = r.opaque(FHSIZE3)
  const flavors: number[] = []
  for (let n = r.uint32(); n > 0; n--) flavors.push(r.uint32())
  // An empty list is older servers' way of saying "whatever you used"; otherwise we need AUTH_UNIX.
  if (flavors.length && !flavors.includes(AUTH_UNIX) && !flavors.includes(AUTH_NONE))
    throw new RpcError('refused', `export ${path} accepts only security flavors ${flavors.join(', ')} (Kerberos?), not AUTH_UNIX`)
  return {fh, flavors}
}

/** exports: a linked list of (dir, groups linked list). */
export function decodeExports(r: XdrReader): Array<{dir: string; groups: string[]}> {
  const out: Array<{dir: string; groups: string[]}> = []
  while (r.bool()) {
    const dir = r.string(MNTPATHLEN)
    const groups: string[] = []
    while (r.bool()) groups.push(r.string(255))
    out.push({dir, groups})
  }
  return out
}

export async function mnt(client: RpcClient, path: string, timeoutMs: number): Promise<Mounted> {
  return decodeMnt(await client.call(MOUNT_PROG, MOUNT_VERS, MOUNTPROC3_MNT, 'MNT', encodeDirpath(path), timeoutMs), path)
}

export async function umnt(client: RpcClient, path: string, timeoutMs: number): Promise<void> {
  await client.call(MOUNT_PROG, MOUNT_VERS, MOUNTPROC3_UMNT, 'UMNT', encodeDirpath(path), timeoutMs)
}

export async function listExports(client: RpcClient, timeoutMs: number): Promise<Array<{dir: string; groups: string[]}>> {
  return decodeExports(await client.call(MOUNT_PROG, MOUNT_VERS, MOUNTPROC3_EXPORT, 'EXPORT', Buffer.alloc(0), timeoutMs))
}
