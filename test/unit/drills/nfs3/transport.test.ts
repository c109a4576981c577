import assert from 'node:assert/strict'
import {test} from 'node:test'
import {nativeNfs3} from '../../../../src/drills/nfs3/transport.js'
import {FakeNfsServer} from './fake-nfs-server.js'

const URL1 = 'nfs://127.0.0.1/data/.hapair-drill/run1/rec-000001?version=3'
const DIR = 'nfs://127.0.0.1/data/.hapair-drill/run1?version=3'

async function setup() {
  const server = new FakeNfsServer()
  const port = await server.listen()
  const transport = nativeNfs3({nfsPort: port, mountPort: port, privilegedPort: false})
  const content = (path: string) => {
    const n = server.files.get(path)
    return n && !n.dir ? n.data.toString() : undefined
  }
  return {server, port, transport, content}
}

test('write: mount (export found in mountd\'s list), parent directories made, CREATE GUARDED, one FILE_SYNC WRITE', async () => {
  const {server, transport, content} = await setup()
  try {
    assert.deepEqual(await transport.write(URL1, 'one\n', 2000), {ok: true, stdout: ''})
    assert.deepEqual(server.log, [
      'EXPORT',
      'MNT /data',
      'NULL',
      'LOOKUP /data/.hapair-drill -> 2',
      'MKDIR /data/.hapair-drill',
      'LOOKUP /data/.hapair-drill/run1 -> 2',
      'MKDIR /data/.hapair-drill/run1',
      'CREATE /data/.hapair-drill/run1/rec-000001',
      'WRITE /data/.hapair-drill/run1/rec-000001 4',
    ])
    assert.equal(content('/data/.hapair-drill/run1/rec-000001'), 'one\n')
    server.log.length = 0
    // the next record: directory handles cached, nothing but CREATE and WRITE
    assert.equal((await transport.write(URL1.replace('000001', '000002'), 'two\n', 2000)).ok, true)
    assert.deepEqual(server.log, ['CREATE /data/.hapair-drill/run1/rec-000002', 'WRITE /data/.hapair-drill/run1/rec-000002 4'])
    assert.deepEqual(await transport.read(URL1, 2000), {ok: true, stdout: 'one\n'})
    assert.deepEqual(await transport.list(DIR, 2000), {ok: true, stdout: 'rec-000001\nrec-000002\n'})
    // replacing: GUARDED says EXIST, so LOOKUP and truncate, then write
    server.log.length = 0
    assert.equal((await transport.write(URL1, '1\n', 2000)).ok, true)
    assert.deepEqual(server.log.slice(0, 3), ['CREATE /data/.hapair-drill/run1/rec-000001 -> 17', 'LOOKUP /data/.hapair-drill/run1/rec-000001', 'SETATTR /data/.hapair-drill/run1/rec-000001'])
    assert.equal(content('/data/.hapair-drill/run1/rec-000001'), '1\n')
    assert.equal(transport.sessionsOpened, 1)
  } finally {
    await transport.close()
    await server.close()
  }
  assert.equal(server.log.at(-1), 'UMNT /data', 'close unmounts')
})

test('stale handles (a failover to a server with other handles): mounted again and retried within the same write', async () => {
  const {server, transport, content} = await setup()
  try {
    assert.equal((await transport.write(URL1, 'before\n', 2000)).ok, true)
    server.generation++
    server.log.length = 0
    assert.deepEqual(await transport.write(URL1.replace('000001', '000002'), 'after\n', 2000), {ok: true, stdout: ''})
    assert.deepEqual(server.log.slice(0, 3), ['CREATE (old handle) -> STALE', 'EXPORT', 'MNT /data'])
    assert.equal(content('/data/.hapair-drill/run1/rec-000002'), 'after\n')
    assert.equal(transport.sessionsOpened, 2)
  } finally {
    await transport.close()
    await server.close()
  }
})

test('JUKEBOX (grace period) is retried after a pause; other errors are returned named', async () => {
  const {server, transport} = await setup()
  try {
    server.jukebox = 2
    const started = Date.now()
    assert.equal((await transport.write(URL1, 'x\n', 3000)).ok, true)
    assert.ok(Date.now() - started >= 450, 'paused between the retries')
    assert.equal(server.log.filter((l) => l.endsWith('JUKEBOX')).length, 2)
    server.jukebox = 100
    const busy = await transport.write(URL1, 'y\n', 600)
    assert.equal(busy.ok, false)
    assert.match(busy.error!, /^no answer within 600 ms/)
    server.jukebox = 0
    const missing = await transport.read('nfs://127.0.0.1/data/nothing/here?version=3', 2000)
    assert.deepEqual(missing, {ok: false, error: 'nfs LOOKUP /data/nothing: NFS3ERR_NOENT (no such file or directory)'})
  } finally {
    await transport.close()
    await server.close()
  }
})

test('a server that answers UNSTABLE gets a COMMIT; a changed verifier means write again; a restless one is a failed write', async () => {
  const {server, transport} = await setup()
  try {
    server.committed = 0
    assert.equal((await transport.write(URL1, 'a\n', 2000)).ok, true)
    assert.deepEqual(server.log.slice(-2), ['WRITE /data/.hapair-drill/run1/rec-000001 2', 'COMMIT /data/.hapair-drill/run1/rec-000001'])
    server.log.length = 0
    server.setVerifiers(['verf0001', 'verf0002']) // the server "rebooted" between WRITE and COMMIT
    assert.equal((await transport.write(URL1, 'b\n', 2000)).ok, true)
    assert.deepEqual(server.log.filter((l) => /^(WRITE|COMMIT)/.test(l)).map((l) => l.split(' ')[0]), ['WRITE', 'COMMIT', 'WRITE', 'COMMIT'])
    server.setVerifiers(Array.from({length: 20}, (_, i) => `verf${String(i + 10).padStart(4, '0')}`))
    const restless = await transport.write(URL1, 'c\n', 2000)
    assert.equal(restless.ok, false)
    assert.match(restless.error!, /verifier kept changing/)
  } finally {
    await transport.close()
    await server.close()
  }
})

test('a connection cut during a call: the write is retried on a fresh connection and mount, within its time', async () => {
  const {server, transport, content} = await setup()
  try {
    assert.equal((await transport.write(URL1, 'a\n', 2000)).ok, true)
    server.hangUpOn.add('WRITE')
    assert.deepEqual(await transport.write(URL1.replace('000001', '000002'), 'b\n', 2000), {ok: true, stdout: ''})
    assert.equal(content('/data/.hapair-drill/run1/rec-000002'), 'b\n')
    assert.equal(transport.sessionsOpened, 2)
    assert.equal(server.connections, 4, 'mountd and nfsd connections, twice')
  } finally {
    await transport.close()
    await server.close()
  }
})

test('a silent server: ok:false at the timeout, naming what was awaited; the writer and the prober share one mount', async () => {
  const {server, port, transport} = await setup()
  try {
    const [w, l] = await Promise.all([transport.write(URL1, 'a\n', 2000), transport.list('nfs://127.0.0.1/data?version=3', 2000)])
    assert.equal(w.ok && l.ok, true)
    assert.equal(transport.sessionsOpened, 1)
    server.silentOn.add('WRITE')
    const started = Date.now()
    const r = await transport.write(URL1, 'b\n', 400)
    const took = Date.now() - started
    assert.deepEqual(r, {ok: false, error: `no answer within 400 ms (waiting for nfs v3 WRITE from 127.0.0.1:${port})`})
    assert.ok(took >= 390 && took < 5000, `${took} ms`)
  } finally {
    await transport.close()
    await server.close()
  }
})

test('URLs the transport cannot serve are failed operations, not exceptions', async () => {
  const t = nativeNfs3({privilegedPort: false, nfsPort: 1, mountPort: 1})
  assert.deepEqual(await t.write('nfs://127.0.0.1/data/x?version=4', 'x', 100), {ok: false, error: 'this client speaks NFS version 3 only, the URL asks for version 4: nfs://127.0.0.1/data/x?version=4'})
  assert.match((await t.list('http://x/y', 100)).error!, /not an NFS URL/)
  await t.close()
})
