import assert from 'node:assert/strict'
import {test} from 'node:test'
import {decodeExports, decodeMnt} from '../../../../src/drills/nfs3/mount.js'
import {FILE_SYNC, Nfs3, ZERO_VERF} from '../../../../src/drills/nfs3/nfs3.js'
import {NF3DIR, NF3REG, Nfs3Error} from '../../../../src/drills/nfs3/nfs3-xdr.js'
import {parseReply} from '../../../../src/drills/nfs3/rpc.js'
import * as nfsd from './nfsd-recorded.js'
import {recorded, results} from './recorded-caller.js'

const FH = Buffer.from('01000100fe53f649', 'hex')
const what = '/data/.hapair-drill/nfs3-client-record/rec-000001'

test('Linux mountd: the port from rpcbind, the export list with its client group, the root handle', () => {
  assert.equal(results(nfsd.NFSD_GETPORT_MOUNTD).uint32(), 40303)
  assert.deepEqual(decodeExports(results(nfsd.NFSD_EXPORT)), [{dir: '/data', groups: ['192.168.77.0/24']}])
  assert.deepEqual(decodeMnt(results(nfsd.NFSD_MNT), '/data'), {fh: FH, flavors: [1]})
  assert.equal(results(nfsd.NFSD_UMNT).remaining, 0)
  assert.equal(results(nfsd.NFSD_NULL).remaining, 0)
})

test('Linux nfsd: LOOKUP, MKDIR, CREATE with full attributes and pre-operation attributes in wcc_data', async () => {
  const dir = await new Nfs3(recorded(nfsd.NFSD_LOOKUP)).lookup(FH, '.hapair-drill', '/data/.hapair-drill', 1000)
  assert.equal(dir.fh.length, 16)
  assert.equal(dir.attr?.type, NF3DIR)
  await assert.rejects(new Nfs3(recorded(nfsd.NFSD_LOOKUP_NOENT)).lookup(dir.fh, 'nfs3-client-record', '/d', 1000), (e: unknown) => e instanceof Nfs3Error && e.statusName === 'NFS3ERR_NOENT')
  const made = await new Nfs3(recorded(nfsd.NFSD_MKDIR)).mkdir(dir.fh, 'nfs3-client-record', {mode: 0o755}, '/d', 1000)
  assert.equal(made.attr?.type, NF3DIR)
  assert.equal(made.attr?.mode, 0o755)
  const file = await new Nfs3(recorded(nfsd.NFSD_CREATE)).create(made.fh!, 'rec-000001', 'guarded', {mode: 0o644, size: 0}, what, 1000)
  assert.equal(file.attr?.type, NF3REG)
  assert.equal(file.attr?.mode, 0o644)
  assert.equal(file.attr?.uid, 0, 'no_root_squash: the file belongs to root')
  await assert.rejects(new Nfs3(recorded(nfsd.NFSD_CREATE_EXIST)).create(made.fh!, 'rec-000001', 'guarded', {mode: 0o644, size: 0}, what, 1000), (e: unknown) => e instanceof Nfs3Error && e.statusName === 'NFS3ERR_EXIST')
  const after = await new Nfs3(recorded(nfsd.NFSD_SETATTR)).setattr(file.fh!, {size: 0}, what, 1000)
  assert.equal(after?.size, 0n)
})

test('Linux nfsd with a sync export answers a FILE_SYNC WRITE with FILE_SYNC; READ and READDIR decode', async () => {
  const w = await new Nfs3(recorded(nfsd.NFSD_WRITE)).write(FH, 0n, Buffer.from('1,2024-01-01T00:00:00.000Z,00,ab\n'), FILE_SYNC, what, 1000)
  assert.equal(w.count, 33)
  assert.equal(w.committed, FILE_SYNC)
  assert.equal(w.verf.length, 8)
  const r = await new Nfs3(recorded(nfsd.NFSD_READ)).read(FH, 0n, 32768, what, 1000)
  assert.deepEqual({data: r.data.toString(), eof: r.eof}, {data: '1,2024-01-01T00:00:00.000Z,00,ab\n', eof: true})
  const l = await new Nfs3(recorded(nfsd.NFSD_READDIR)).readdir(FH, 0n, ZERO_VERF, 32768, '/d', 1000)
  assert.deepEqual(l.entries.map((e) => e.name).sort(), ['.', '..', 'rec-000001'])
  assert.equal(l.eof, true)
  assert.ok(parseReply(Buffer.from(nfsd.NFSD_WRITE, 'hex')).ok)
})

test('Linux nfsd GETATTR: the export root\'s attributes; a handle it does not know is NFS3ERR_STALE ("mount again")', async () => {
  const a = await new Nfs3(recorded(nfsd.NFSD_GETATTR)).getattr(FH, '/data', 1000)
  assert.deepEqual({type: a.type, mode: a.mode, nlink: a.nlink, uid: a.uid, size: a.size, fileid: a.fileid}, {type: NF3DIR, mode: 0o755, nlink: 5, uid: 0, size: 1024n, fileid: 2n})
  assert.equal(a.mtime.seconds, 0x6b0144ef)
  await assert.rejects(new Nfs3(recorded(nfsd.NFSD_GETATTR_STALE)).getattr(Buffer.from('01000100fe53f64a', 'hex'), '/data', 1000), (e: unknown) => {
    assert.ok(e instanceof Nfs3Error)
    assert.equal(e.stale, true)
    assert.match(e.message, /^nfs GETATTR \/data: NFS3ERR_STALE \(stale file handle/)
    return true
  })
})
