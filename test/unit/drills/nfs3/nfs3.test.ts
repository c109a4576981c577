import assert from 'node:assert/strict'
import {test} from 'node:test'
import {decodeExports, decodeMnt, MountError} from '../../../../src/drills/nfs3/mount.js'
import {FILE_SYNC, Nfs3, ZERO_VERF} from '../../../../src/drills/nfs3/nfs3.js'
import {NF3DIR, NF3REG, Nfs3Error} from '../../../../src/drills/nfs3/nfs3-xdr.js'
import {XdrReader, XdrWriter} from '../../../../src/drills/nfs3/xdr.js'
import {recorded, results} from './recorded-caller.js'
import {CALL_WRITE, REPLY_CREATE, REPLY_EXPORT, REPLY_LOOKUP_NOENT, REPLY_MKDIR, REPLY_MNT, REPLY_READ, REPLY_READDIR, REPLY_UMNT, REPLY_WRITE} from './ganesha-recorded.js'

const FH_ROOT = Buffer.from('4300000112447e8b0560210af74b01a4c220008424075f00', 'hex')
const RECORD = '1,2024-01-01T00:00:00.000Z,00,ab\n'

test('MNT reply from Ganesha: the root handle and AUTH_UNIX; EXPORT: the exported directories', () => {
  assert.deepEqual(decodeMnt(results(REPLY_MNT), '/tmp/gtry/export'), {fh: FH_ROOT, flavors: [1]})
  assert.deepEqual(decodeExports(results(REPLY_EXPORT)), [{dir: '/tmp/gtry/export', groups: []}])
  assert.equal(results(REPLY_UMNT).remaining, 0)
})

test('MNT refusals are named, and an export that wants Kerberos is refused up front', () => {
  assert.throws(() => decodeMnt(new XdrReader(new XdrWriter().uint32(13).toBuffer()), '/data'), (e: unknown) => e instanceof MountError && e.message === 'mountd refused /data: MNT3ERR_ACCES')
  const krb = new XdrWriter().uint32(0).opaque(FH_ROOT).uint32(2).uint32(390003).uint32(390004).toBuffer()
  assert.throws(() => decodeMnt(new XdrReader(krb), '/data'), /accepts only security flavors 390003, 390004 \(Kerberos\?\), not AUTH_UNIX/)
})

test('WRITE: the arguments are the captured FILE_SYNC call; the reply says 33 bytes, FILE_SYNC', async () => {
  const caller = recorded(REPLY_WRITE)
  const fh = Buffer.from('4300000112447e8b0560210af74b01f3c22000b24d5fdd00', 'hex')
  const w = await new Nfs3(caller).write(fh, 0n, Buffer.from(RECORD), FILE_SYNC, '/x', 1000)
  assert.equal(w.count, 33)
  assert.equal(w.committed, FILE_SYNC)
  assert.equal(w.verf.toString('hex'), '2b3d016b00000000')
  assert.deepEqual([caller.sent[0].prog, caller.sent[0].vers, caller.sent[0].proc], [100003, 3, 7])
  // the captured call: 4-byte record mark + 40-byte header + 40-byte credential/verifier, then the arguments
  assert.equal(caller.sent[0].args.toString('hex'), CALL_WRITE.slice(2 * (4 + 24 + 40 + 8)))
})

test('LOOKUP, CREATE, MKDIR, READ, READDIR replies recorded from Ganesha decode', async () => {
  await assert.rejects(new Nfs3(recorded(REPLY_LOOKUP_NOENT)).lookup(FH_ROOT, '.hapair-drill', '/tmp/gtry/export/.hapair-drill', 1000), (e: unknown) => {
    assert.ok(e instanceof Nfs3Error)
    assert.equal(e.statusName, 'NFS3ERR_NOENT')
    assert.equal(e.message, 'nfs LOOKUP /tmp/gtry/export/.hapair-drill: NFS3ERR_NOENT (no such file or directory)')
    assert.equal(e.stale, false)
    return true
  })
  const dir = await new Nfs3(recorded(REPLY_MKDIR)).mkdir(FH_ROOT, '.hapair-drill', {mode: 0o755}, '/d', 1000)
  assert.equal(dir.fh?.length, 24)
  assert.equal(dir.attr?.type, NF3DIR)
  assert.equal(dir.attr?.mode, 0o755)

  const created = await new Nfs3(recorded(REPLY_CREATE)).create(dir.fh!, 'rec-000001', 'guarded', {mode: 0o644, size: 0}, '/f', 1000)
  assert.equal(created.fh?.toString('hex'), '4300000112447e8b0560210af74b01e0c22000d4a59c2c00')
  assert.equal(created.attr?.type, NF3REG)
  assert.equal(created.attr?.mode, 0o644)
  assert.equal(created.attr?.size, 0n)

  const read = await new Nfs3(recorded(REPLY_READ)).read(created.fh!, 0n, 32768, '/f', 1000)
  assert.equal(read.data.toString(), RECORD)
  assert.equal(read.eof, true)

  const listed = await new Nfs3(recorded(REPLY_READDIR)).readdir(dir.fh!, 0n, ZERO_VERF, 32768, '/d', 1000)
  assert.deepEqual(
    listed.entries.map((e) => e.name),
    ['.', '..', 'rec-000001'],
  )
  assert.equal(listed.eof, true)
})

test('CREATE arguments: GUARDED, mode 0644 and size 0 set, times left alone (RFC 1813 sattr3)', async () => {
  const caller = recorded(REPLY_CREATE)
  await new Nfs3(caller).create(Buffer.from('aabbccdd', 'hex'), 'rec', 'guarded', {mode: 0o644, size: 0}, '/f', 1000)
  assert.equal(
    caller.sent[0].args.toString('hex'),
    '00000004aabbccdd' + '00000003' + '72656300' + '00000001' + '00000001000001a4' + '00000000' + '00000000' + '000000010000000000000000' + '00000000' + '00000000',
  )
})

test('nfsstat3 names: STALE and BADHANDLE mean "mount again", JUKEBOX means "retry"', () => {
  assert.equal(new Nfs3Error(70, 'WRITE', '/f').stale, true)
  assert.equal(new Nfs3Error(10001, 'GETATTR', '/f').stale, true)
  assert.match(new Nfs3Error(70, 'WRITE', '/f').message, /^nfs WRITE \/f: NFS3ERR_STALE \(stale file handle/)
  const jukebox = new Nfs3Error(10008, 'CREATE', '/f')
  assert.equal(jukebox.retryable, true)
  assert.equal(jukebox.statusName, 'NFS3ERR_JUKEBOX')
  assert.equal(new Nfs3Error(13, 'CREATE', '/f').message, 'nfs CREATE /f: NFS3ERR_ACCES (permission denied)')
  assert.equal(new Nfs3Error(12345, 'READ', '/f').message, 'nfs READ /f: status 12345')
})
