import assert from 'node:assert/strict'
import {test} from 'node:test'
import {createEmpty, Deadline, ensureDir, IO_CHUNK, listNames, readAll, writeStable, type StableWriter} from '../../../../src/drills/nfs3/file-ops.js'
import {DATA_SYNC, FILE_SYNC, UNSTABLE, type Nfs3} from '../../../../src/drills/nfs3/nfs3.js'
import {Nfs3Error} from '../../../../src/drills/nfs3/nfs3-xdr.js'

const FH = Buffer.from('f1')
const deadline = () => new Deadline(5000)
const verf = (n: number) => Buffer.from(`verf000${n}`)

/** A server that commits writes as `answers` says and keeps a write verifier (changed by a "reboot"). */
function server(answers: number[], verfs: number[] = [1]) {
  const calls: string[] = []
  const file = Buffer.alloc(3 * IO_CHUNK)
  let w = 0
  let c = 0
  const nfs: StableWriter = {
    write: async (_fh, offset, data, stable) => {
      assert.equal(stable, FILE_SYNC, 'every write asks for FILE_SYNC')
      const committed = answers[Math.min(w, answers.length - 1)]
      calls.push(`WRITE ${offset} ${data.length} -> ${['UNSTABLE', 'DATA_SYNC', 'FILE_SYNC'][committed]}`)
      data.copy(file, Number(offset))
      return {count: data.length, committed, verf: verf(verfs[Math.min(w++, verfs.length - 1)])}
    },
    commit: async () => {
      calls.push('COMMIT')
      return verf(verfs[Math.min(w + c++, verfs.length - 1)])
    },
  }
  return {nfs, calls, file}
}

test('stable write: a FILE_SYNC answer is the acknowledgement, no COMMIT', async () => {
  const s = server([FILE_SYNC])
  assert.deepEqual(await writeStable(s.nfs, FH, Buffer.from('record\n'), '/f', deadline()), {committedBy: 'write', rounds: 1})
  assert.deepEqual(s.calls, ['WRITE 0 7 -> FILE_SYNC'])
})

test('stable write: UNSTABLE or DATA_SYNC answers are followed by a COMMIT with the same verifier', async () => {
  for (const weaker of [UNSTABLE, DATA_SYNC]) {
    const s = server([weaker])
    assert.deepEqual(await writeStable(s.nfs, FH, Buffer.from('record\n'), '/f', deadline()), {committedBy: 'commit', rounds: 1})
    assert.equal(s.calls.at(-1), 'COMMIT')
  }
})

test('stable write: a COMMIT verifier that changed (server rebooted) means the data may be lost: write again', async () => {
  // verifiers per call in order: WRITE (1), COMMIT (2: rebooted), WRITE (2), COMMIT (2)
  const s = server([UNSTABLE], [1, 2, 2])
  assert.deepEqual(await writeStable(s.nfs, FH, Buffer.from('record\n'), '/f', deadline()), {committedBy: 'commit', rounds: 2})
  assert.deepEqual(s.calls, ['WRITE 0 7 -> UNSTABLE', 'COMMIT', 'WRITE 0 7 -> UNSTABLE', 'COMMIT'])
})

test('stable write: a server whose verifier never settles is an error, not an acknowledgement', async () => {
  let n = 0
  const nfs: StableWriter = {
    write: async (_fh, _o, data) => ({count: data.length, committed: UNSTABLE, verf: verf(n++)}),
    commit: async () => verf(n++),
  }
  await assert.rejects(writeStable(nfs, FH, Buffer.from('x'), '/f', deadline()), /verifier kept changing: it restarted during the write, data not known to be stable/)
})

test('stable write: large data goes in chunks, short writes continue where the server stopped', async () => {
  const data = Buffer.alloc(IO_CHUNK + 100, 7)
  const s = server([FILE_SYNC])
  await writeStable(s.nfs, FH, data, '/f', deadline())
  assert.deepEqual(s.calls, [`WRITE 0 ${IO_CHUNK} -> FILE_SYNC`, `WRITE ${IO_CHUNK} 100 -> FILE_SYNC`])
  assert.ok(s.file.subarray(0, data.length).equals(data))

  const offsets: bigint[] = []
  const halfway: StableWriter = {
    write: async (_fh, offset, d) => (offsets.push(offset), {count: Math.min(4, d.length), committed: FILE_SYNC, verf: verf(1)}),
    commit: async () => assert.fail('no commit after FILE_SYNC'),
  }
  await writeStable(halfway, FH, Buffer.from('0123456789'), '/f', deadline())
  assert.deepEqual(offsets, [0n, 4n, 8n])
})

test('a deadline that has passed stops the next call with a timeout', async () => {
  let t = 0
  const d = new Deadline(100, () => t)
  assert.equal(d.left(), 100)
  t = 60
  assert.equal(d.left(), 40)
  t = 100
  assert.throws(() => d.left(), /no answer within 100 ms/)
})

test('readAll reads until eof; listNames follows cookies and drops . and ..', async () => {
  const content = Buffer.alloc(IO_CHUNK * 2 + 5, 1)
  const reads: bigint[] = []
  const data = await readAll(
    {
      read: async (_fh, offset, count) => {
        reads.push(offset)
        const slice = content.subarray(Number(offset), Number(offset) + count)
        return {data: slice, eof: Number(offset) + slice.length >= content.length}
      },
    },
    FH,
    '/f',
    deadline(),
  )
  assert.ok(data.equals(content))
  assert.deepEqual(reads, [0n, BigInt(IO_CHUNK), BigInt(2 * IO_CHUNK)])

  const pages = [
    {entries: ['.', '..', 'a'], eof: false},
    {entries: ['b'], eof: true},
  ]
  const asked: Array<[bigint, string]> = []
  const names = await listNames(
    {
      readdir: async (_fh, cookie, cv) => {
        asked.push([cookie, cv.toString()])
        const page = pages[asked.length - 1]
        return {entries: page.entries.map((name, i) => ({name, fileid: 1n, cookie: BigInt(10 * asked.length + i)})), eof: page.eof, cookieverf: Buffer.from('cookiev1')}
      },
    },
    FH,
    '/d',
    deadline(),
  )
  assert.deepEqual(names, ['a', 'b'])
  assert.deepEqual(asked, [
    [0n, '\0\0\0\0\0\0\0\0'],
    [12n, 'cookiev1'],
  ])
})

type FileNfs = Pick<Nfs3, 'create' | 'lookup' | 'setattr' | 'mkdir'>
function files(existing: Set<string>): FileNfs & {log: string[]} {
  const log: string[] = []
  return {
    log,
    create: async (_d, name, mode, attrs) => {
      log.push(`CREATE ${name} ${mode} mode=${attrs.mode?.toString(8)} size=${attrs.size}`)
      if (mode === 'guarded' && existing.has(name)) throw new Nfs3Error(17, 'CREATE', name)
      existing.add(name)
      return {fh: Buffer.from(`fh-${name}`)}
    },
    lookup: async (_d, name) => {
      log.push(`LOOKUP ${name}`)
      if (!existing.has(name)) throw new Nfs3Error(2, 'LOOKUP', name)
      return {fh: Buffer.from(`fh-${name}`)}
    },
    setattr: async (_fh, attrs) => (log.push(`SETATTR size=${attrs.size}`), undefined),
    mkdir: async (_d, name, attrs) => {
      log.push(`MKDIR ${name} mode=${attrs.mode?.toString(8)}`)
      if (existing.has(name)) throw new Nfs3Error(17, 'MKDIR', name)
      existing.add(name)
      return {}
    },
  }
}

test('createEmpty: CREATE GUARDED 0644; an existing file is looked up and truncated', async () => {
  const fresh = files(new Set())
  assert.equal(String(await createEmpty(fresh, FH, 'rec-1', '/f', deadline())), 'fh-rec-1')
  assert.deepEqual(fresh.log, ['CREATE rec-1 guarded mode=644 size=0'])
  const again = files(new Set(['rec-1']))
  assert.equal(String(await createEmpty(again, FH, 'rec-1', '/f', deadline())), 'fh-rec-1')
  assert.deepEqual(again.log, ['CREATE rec-1 guarded mode=644 size=0', 'LOOKUP rec-1', 'SETATTR size=0'])
})

test('ensureDir: LOOKUP first, MKDIR 0755 when missing (LOOKUP again when the reply has no handle)', async () => {
  const have = files(new Set(['run1']))
  await ensureDir(have, FH, 'run1', '/d', deadline())
  assert.deepEqual(have.log, ['LOOKUP run1'])
  const missing = files(new Set())
  assert.equal(String(await ensureDir(missing, FH, 'run1', '/d', deadline())), 'fh-run1')
  assert.deepEqual(missing.log, ['LOOKUP run1', 'MKDIR run1 mode=755', 'LOOKUP run1'])
  await assert.rejects(ensureDir({...missing, lookup: async () => Promise.reject(new Nfs3Error(13, 'LOOKUP', 'x'))}, FH, 'x', '/d', deadline()), /NFS3ERR_ACCES/)
})
