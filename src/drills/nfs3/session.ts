/**
 * A mounted NFSv3 export on one server: the ports from the portmapper, the export root from
 * mountd, one NFS connection, and cached directory and file handles. A session lives as long as
 * its NFS connection: it is thrown away as a whole (see transport.ts) when the connection ends
 * or the server calls a handle stale; the next operation builds a fresh one. After a failover that is a new
 * portmapper answer, a new MNT and new LOOKUPs, against whichever node now holds the address.
 */
import {Deadline, ensureDir} from './file-ops.js'
import {listExports, mnt, MOUNT_STATUS, MountError, umnt} from './mount.js'
import {Nfs3} from './nfs3.js'
import {getPorts, MOUNT_PROG, MOUNT_VERS, NFS_PROG, NFS_VERS} from './portmap.js'
import {RpcClient, RpcError, type RpcClientOptions} from './rpc-client.js'
import {prefixesLongestFirst, relativeTo} from './url.js'

export interface SessionOptions {
  /** The export to mount (as in /etc/exports). Without it: the longest exported directory containing the path, from mountd's export list. */
  exportPath?: string
  /** Skip the portmapper when both are known. */
  nfsPort?: number
  mountPort?: number
  portmapPort?: number
  /** Test hook: false lets tests run unprivileged against a fake server. */
  privilegedPort?: boolean
}

/** Directory handles remembered per session; file handles only for the latest few files. */
const MAX_FILES = 256

export class Nfs3Session {
  private readonly dirs = new Map<string, Buffer>()
  private readonly files = new Map<string, Buffer>()

  private constructor(
    readonly host: string,
    readonly exportPath: string,
    readonly root: Buffer,
    readonly nfs: Nfs3,
    private readonly rpc: RpcClient,
    private readonly mountPort: number,
    private readonly rpcOptions: Partial<RpcClientOptions>,
  ) {}

  static async open(host: string, path: string, opts: SessionOptions, deadline: Deadline): Promise<Nfs3Session> {
    const rpcOptions: Partial<RpcClientOptions> = opts.privilegedPort === undefined ? {} : {privilegedPort: opts.privilegedPort}
    let {nfsPort, mountPort} = opts
    if (!nfsPort || !mountPort) {
      const [m, n] = await getPorts(host, [{prog: MOUNT_PROG, vers: MOUNT_VERS}, {prog: NFS_PROG, vers: NFS_VERS}], deadline.left(), {...rpcOptions, ...(opts.portmapPort ? {port: opts.portmapPort} : {})})
      mountPort ??= m
      nfsPort ??= n
    }
    const mountd = new RpcClient({...rpcOptions, host, port: mountPort})
    let exportPath: string
    let root: Buffer
    try {
      ;({exportPath, root} = await mountExport(mountd, path, opts.exportPath, deadline))
    } finally {
      mountd.close()
    }
    const rpc = new RpcClient({...rpcOptions, host, port: nfsPort})
    const session = new Nfs3Session(host, exportPath, root, new Nfs3(rpc), rpc, mountPort, rpcOptions)
    try {
      await session.nfs.ping(deadline.left()) // connects, and proves nfsd answers before anything relies on it
    } catch (e) {
      rpc.close()
      throw e
    }
    return session
  }

  /**
   * False once the NFS connection has ended (the server closed it, a reset, a timeout): handles
   * from then on are not trusted, the server on the other end may be another node.
   */
  get usable(): boolean {
    return this.rpc.connected
  }

  /** Path segments below this session's export, or undefined when the path is elsewhere. */
  relative(path: string): string[] | undefined {
    return relativeTo(this.exportPath, path)
  }

  /** The handle of a directory (segments below the export), made when `create` and missing. */
  async dir(segments: string[], create: boolean, deadline: Deadline): Promise<Buffer> {
    let handle = this.root
    for (let i = 0; i < segments.length; i++) {
      const key = segments.slice(0, i + 1).join('/')
      const cached = this.dirs.get(key)
      if (cached) {
        handle = cached
        continue
      }
      const what = `${this.exportPath}/${key}`
      handle = create ? await ensureDir(this.nfs, handle, segments[i], what, deadline) : (await this.nfs.lookup(handle, segments[i], what, deadline.left())).fh
      this.dirs.set(key, handle)
    }
    return handle
  }

  /** A file's handle: remembered from our own write, or looked up. */
  async file(segments: string[], deadline: Deadline): Promise<Buffer> {
    const key = segments.join('/')
    const cached = this.files.get(key)
    if (cached) return cached
    const dir = await this.dir(segments.slice(0, -1), false, deadline)
    const {fh} = await this.nfs.lookup(dir, segments.at(-1)!, `${this.exportPath}/${key}`, deadline.left())
    this.rememberFile(segments, fh)
    return fh
  }

  rememberFile(segments: string[], fh: Buffer): void {
    if (this.files.size >= MAX_FILES) this.files.delete(this.files.keys().next().value!)
    this.files.set(segments.join('/'), fh)
  }

  /** UMNT (best effort: mountd only keeps a list of clients) and close the connection. */
  async close(timeoutMs = 1000): Promise<void> {
    this.rpc.close()
    const mountd = new RpcClient({...this.rpcOptions, host: this.host, port: this.mountPort})
    try {
      await umnt(mountd, this.exportPath, timeoutMs)
    } catch {
      // the server may be gone (a drill just crashed it); nothing to undo then
    } finally {
      mountd.close()
    }
  }

  /** Closes the connection without UMNT (the server is gone or confused). */
  discard(): void {
    this.rpc.close()
  }
}

/**
 * MNT of the export holding `path`: the given export, else the longest exported directory
 * containing it (mountd's EXPORT list), else MNT on each prefix of the path, longest first.
 */
async function mountExport(mountd: RpcClient, path: string, given: string | undefined, deadline: Deadline): Promise<{exportPath: string; root: Buffer}> {
  if (given) {
    if (!relativeTo(given, path)) throw new RpcError('refused', `${path} is not inside the export ${given}`)
    try {
      return {exportPath: given, root: (await mnt(mountd, given, deadline.left())).fh}
    } catch (e) {
      if (e instanceof MountError && mountd.unprivileged) e.message += ' (this client is not root, so its source port is not privileged: the export needs "insecure", or run as root)'
      throw e
    }
  }
  let candidates = prefixesLongestFirst(path)
  let exported: string[] | undefined
  try {
    exported = (await listExports(mountd, deadline.left())).map((e) => e.dir)
    const containing = exported.filter((dir) => relativeTo(dir, path))
    if (containing.length) candidates = containing.sort((a, b) => b.length - a.length)
  } catch (e) {
    if (e instanceof RpcError && e.kind !== 'refused') throw e // no answer: MNT will not fare better
  }
  const refusals: string[] = []
  for (const dir of candidates) {
    try {
      return {exportPath: dir, root: (await mnt(mountd, dir, deadline.left())).fh}
    } catch (e) {
      if (!(e instanceof MountError)) throw e
      refusals.push(`${dir}: ${MOUNT_STATUS[e.status] ?? e.status}`)
    }
  }
  const list = exported ? ` (exported: ${exported.join(', ') || 'nothing'})` : ''
  const port = mountd.unprivileged ? ' (this client is not root, so its source port is not privileged: the export needs "insecure", or run as root)' : ''
  throw new RpcError('refused', `no export on ${mountd.endpoint.replace(/:\d+$/, '')} contains ${path}${list}; mountd refused ${refusals.join(', ')}${port}`)
}
