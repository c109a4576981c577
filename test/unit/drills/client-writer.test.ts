import assert from 'node:assert/strict'
import {test} from 'node:test'
import {ClientWriter, nfsUrl, withFile, type RecordTransport} from '../../../src/drills/client-writer.js'
import {recordIntact} from '../../../src/drills/records.js'

test('NFS URLs: NFSv3 by default, record files inside the drill directory', () => {
  const dir = nfsUrl('10.9.0.100', '/data/.hapair-drill/run1/')
  assert.equal(dir, 'nfs://10.9.0.100/data/.hapair-drill/run1?version=3')
  assert.equal(withFile(dir, 'rec-000001'), 'nfs://10.9.0.100/data/.hapair-drill/run1/rec-000001?version=3')
  assert.equal(nfsUrl('10.9.0.100', 'data', 4), 'nfs://10.9.0.100/data?version=4')
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
