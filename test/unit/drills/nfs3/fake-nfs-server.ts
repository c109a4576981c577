/**
 * A small in-memory NFSv3 + MOUNT server for the transport's recovery paths that a healthy
 * Ganesha does not produce on demand: stale handles, JUKEBOX, UNSTABLE answers with changing
 * write verifiers, a connection cut in the middle of a call. Both programs answer on one port
 * (the transport is given it as nfsPort and mountPort); attributes are always "not sent".
 */
import {createServer, type AddressInfo, type Server, type Socket} from 'node:net'
import {frameRecord, RecordAssembler} from '../../../../src/drills/nfs3/rpc.js'
import {XdrReader, XdrWriter} from '../../../../src/drills/nfs3/xdr.js'

type Node = {dir: true} | {dir: false; data: Buffer}

export class FakeNfsServer {
  readonly files = new Map<string, Node>([['/data', {dir: true}]])
  /** Every call, `MNT /data`, `WRITE /data/x`, with the answer when it is not OK. */
  readonly log: string[] = []
  /** Bumped: every handle handed out before is stale. */
  generation = 1
  /** The next N NFS calls answer NFS3ERR_JUKEBOX. */
  jukebox = 0
  /** What WRITE says it did (2 = FILE_SYNC). */
  committed = 2
  /** Write verifiers handed out by WRITE and COMMIT, in turn (the last one repeats). */
  private verifiers = ['verf0001']
  /** Procedures that, once each, get the connection cut instead of an answer. */
  readonly hangUpOn = new Set<string>()
  /** Procedures that get no answer at all. */
  readonly silentOn = new Set<string>()
  connections = 0
  private server?: Server
  private verfIndex = 0

  async listen(): Promise<number> {
    this.server = createServer((s) => this.serve(s))
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    return (this.server.address() as AddressInfo).port
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server!.close(() => resolve()))
  }

  private serve(sock: Socket): void {
    this.connections++
    const asm = new RecordAssembler()
    sock.on('error', () => undefined)
    sock.on('data', (chunk) => {
      for (const call of asm.push(chunk)) {
        const r = new XdrReader(call)
        const xid = r.uint32()
        r.uint32() // CALL
        r.uint32() // rpc version
        const prog = r.uint32()
        r.uint32() // version
        const proc = r.uint32()
        r.uint32() // cred flavor
        r.opaque()
        r.uint32() // verifier flavor
        r.opaque()
        const name = prog === 100005 ? MOUNT_PROCS[proc] : NFS_PROCS[proc]
        if (this.hangUpOn.delete(name)) {
          this.log.push(`${name} (connection cut)`)
          sock.destroy()
          return
        }
        if (this.silentOn.has(name)) {
          this.log.push(`${name} (no answer)`)
          continue
        }
        const res = new XdrWriter()
        if (prog === 100005) this.mount(proc, r, res)
        else this.nfs(proc, r, res)
        const head = new XdrWriter().uint32(xid).uint32(1).uint32(0).uint32(0).uint32(0).uint32(0)
        sock.write(frameRecord(Buffer.concat([head.toBuffer(), res.toBuffer()])))
      }
    })
  }

  private handle(path: string): Buffer {
    return Buffer.from(`${this.generation}:${path}`)
  }

  /** The path of a handle, or a status: 70 (STALE) when it is from an older generation. */
  private path(fh: Buffer): string | number {
    const [gen, ...rest] = fh.toString().split(':')
    if (Number(gen) !== this.generation) return 70
    return this.files.has(rest.join(':')) ? rest.join(':') : 70
  }

  /** The verifiers the next WRITEs and COMMITs answer with, in turn (the last one repeats). */
  setVerifiers(list: string[]): void {
    this.verifiers = list
    this.verfIndex = 0
  }

  private nextVerf(): Buffer {
    const v = this.verifiers[Math.min(this.verfIndex++, this.verifiers.length - 1)]
    return Buffer.from(v)
  }

  private mount(proc: number, r: XdrReader, w: XdrWriter): void {
    if (proc === 5) {
      this.log.push('EXPORT')
      w.bool(true).string('/data').bool(false).bool(false)
    } else if (proc === 1) {
      const dir = r.string()
      this.log.push(`MNT ${dir}`)
      if (dir === '/data') w.uint32(0).opaque(this.handle('/data')).uint32(1).uint32(1)
      else w.uint32(13)
    } else if (proc === 3) this.log.push(`UMNT ${r.string()}`)
  }

  private nfs(proc: number, r: XdrReader, w: XdrWriter): void {
    const name = NFS_PROCS[proc]
    if (proc === 0) {
      this.log.push('NULL')
      return
    }
    const target = this.path(r.opaque())
    const fail = (status: number, what: string) => {
      this.log.push(`${name} ${what} -> ${status === 70 ? 'STALE' : status === 10008 ? 'JUKEBOX' : status}`)
      w.uint32(status)
      // the failure bodies: post_op_attr for LOOKUP/READ/READDIR, wcc_data for the others
      if (proc === 3 || proc === 6 || proc === 16) w.bool(false)
      else w.bool(false).bool(false)
    }
    if (this.jukebox > 0) {
      this.jukebox--
      return fail(10008, String(target))
    }
    if (typeof target === 'number') return fail(target, '(old handle)')
    if (proc === 3 || proc === 8 || proc === 9) {
      const child = `${target}/${r.string()}`
      const exists = this.files.has(child)
      if (proc === 3) {
        if (!exists) return fail(2, child)
        this.log.push(`LOOKUP ${child}`)
        return void w.uint32(0).opaque(this.handle(child)).bool(false).bool(false)
      }
      if (proc === 8 && r.uint32() === 1 && exists) return fail(17, child)
      if (proc === 9 && exists) return fail(17, child)
      this.files.set(child, proc === 9 ? {dir: true} : {dir: false, data: Buffer.alloc(0)})
      this.log.push(`${name} ${child}`)
      return void w.uint32(0).bool(true).opaque(this.handle(child)).bool(false).bool(false).bool(false)
    }
    const node = this.files.get(target)!
    if (proc === 2) {
      for (let i = 0; i < 3; i++) if (r.bool()) r.uint32() // mode, uid, gid
      if (r.bool() && !node.dir) node.data = node.data.subarray(0, Number(r.uint64()))
      this.log.push(`SETATTR ${target}`)
      return void w.uint32(0).bool(false).bool(false)
    }
    if (proc === 7 && !node.dir) {
      const offset = Number(r.uint64())
      r.uint32()
      r.uint32() // stable asked for: the test decides what is answered
      const data = r.opaque()
      const grown = Buffer.alloc(Math.max(node.data.length, offset + data.length))
      node.data.copy(grown)
      data.copy(grown, offset)
      node.data = grown
      this.log.push(`WRITE ${target} ${data.length}`)
      return void w.uint32(0).bool(false).bool(false).uint32(data.length).uint32(this.committed).fixedOpaque(this.nextVerf(), 8)
    }
    if (proc === 21) {
      this.log.push(`COMMIT ${target}`)
      return void w.uint32(0).bool(false).bool(false).fixedOpaque(this.nextVerf(), 8)
    }
    if (proc === 6 && !node.dir) {
      const offset = Number(r.uint64())
      const count = r.uint32()
      const data = node.data.subarray(offset, offset + count)
      this.log.push(`READ ${target}`)
      return void w.uint32(0).bool(false).uint32(data.length).bool(offset + data.length >= node.data.length).opaque(data)
    }
    if (proc === 16 && node.dir) {
      this.log.push(`READDIR ${target}`)
      w.uint32(0).bool(false).fixedOpaque(Buffer.alloc(8), 8)
      let cookie = 1
      for (const p of this.files.keys()) if (p.startsWith(`${target}/`) && !p.slice(target.length + 1).includes('/')) w.bool(true).uint64(cookie).string(p.slice(target.length + 1)).uint64(cookie++)
      return void w.bool(false).bool(true)
    }
    fail(22, target)
  }
}

const MOUNT_PROCS: Record<number, string> = {1: 'MNT', 3: 'UMNT', 5: 'EXPORT'}
const NFS_PROCS: Record<number, string> = {0: 'NULL', 2: 'SETATTR', 3: 'LOOKUP', 6: 'READ', 7: 'WRITE', 8: 'CREATE', 9: 'MKDIR', 16: 'READDIR', 21: 'COMMIT'}
