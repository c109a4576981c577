import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {test} from 'node:test'
import {ClientWriter, localLibnfs, nfsUrl, runProcess, withFile, type RecordTransport} from '../../../src/drills/client-writer.js'
import {recordIntact} from '../../../src/drills/records.js'

test('NFS URLs: NFSv3 by default, record files inside the drill directory', () => {
  const dir = nfsUrl('10.9.0.100', '/data/.hapair-drill/run1/')
  assert.equal(dir, 'nfs://10.9.0.100/data/.hapair-drill/run1?version=3')
  assert.equal(withFile(dir, 'rec-000001'), 'nfs://10.9.0.100/data/.hapair-drill/run1/rec-000001?version=3')
  assert.equal(nfsUrl('10.9.0.100', 'data', 4), 'nfs://10.9.0.100/data?version=4')
})

test('runProcess: exit codes, output, and a hard timeout', async () => {
  const ok = await runProcess(['sh', '-c', 'echo out; echo err >&2; exit 3'], 5000)
  assert.deepEqual(ok, {code: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false})
  const started = Date.now()
  const slow = await runProcess(['sleep', '10'], 200)
  assert.equal(slow.timedOut, true)
  assert.ok(Date.now() - started < 3000)
  const missing = await runProcess(['hapair-no-such-program'], 1000)
  assert.equal(missing.code, null)
  assert.match(missing.stderr, /ENOENT/)
})

test('libnfs-utils for real: a server that does not answer is a failed write with nfs-cp\'s own message', {skip: !existsSync('/usr/bin/nfs-cp') && 'libnfs-utils not installed'}, async () => {
  const t = await localLibnfs()
  try {
    const w = await t.write('nfs://127.0.0.1/data/.hapair-drill/x/rec-000001?version=3', 'x\n', 3000)
    assert.equal(w.ok, false)
    assert.match(w.error!, /Failed to open nfs:\/\/127\.0\.0\.1/)
    const l = await t.list('nfs://127.0.0.1/data?version=3', 3000)
    assert.equal(l.ok, false)
  } finally {
    await t.close()
  }
})

test('the writer: numbered records, acknowledged ones remembered with their hash, failures timed', async () => {
  const stored = new Map<string, string>()
  let failNext = 0
  const transport: RecordTransport = {
    describe: 'memory',
    write: async (url, content) => {
      if (failNext > 0) {
        failNext--
        return {ok: false, error: 'no answer within 3000 ms'}
      }
      stored.set(url, content)
      return {ok: true}
    },
    read: async (url) => ({ok: true, stdout: stored.get(url)}),
    list: async () => ({ok: true}),
    close: async () => {},
  }
  const writer = new ClientWriter({transport, dirUrl: 'nfs://vip/d?version=3', intervalMs: 5, timeoutMs: 1000})
  writer.start()
  await new Promise((r) => setTimeout(r, 60))
  failNext = 2
  await new Promise((r) => setTimeout(r, 60))
  await writer.stop()
  const failed = writer.attempts.filter((a) => !a.ok)
  assert.equal(failed.length, 2)
  assert.equal(writer.acked.size, writer.attempts.length - 2)
  assert.deepEqual(writer.attempts.map((a) => a.seq), writer.attempts.map((_, i) => i + 1))
  const [seq] = [...writer.acked.keys()]
  assert.equal(recordIntact(stored.get(withFile('nfs://vip/d?version=3', `rec-${String(seq).padStart(6, '0')}`))!, seq), true)
  assert.deepEqual(writer.readBackProblems, [])
})
