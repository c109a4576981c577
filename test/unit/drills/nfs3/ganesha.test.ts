/**
 * The native NFSv3 client against a real NFS server: NFS-Ganesha in a network namespace (see
 * ganesha-server.ts). Needs root and Ganesha; without them this FAILS and says what to install:
 * the drill's no-lost-write claim rests on this client, so it is never skipped quietly.
 */
import assert from 'node:assert/strict'
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {createHash} from 'node:crypto'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {test} from 'node:test'
import {fileURLToPath} from 'node:url'
import {nfsUrl, withFile, type TransportResult} from '../../../../src/drills/client-writer.js'
import {accountWrites, makeRecord} from '../../../../src/drills/records.js'
import {ganeshaMissing, GaneshaServer, sleep} from './ganesha-server.js'
import type {DriverRequest, WriterOutcome} from './nfs3-driver.js'

interface Reply {
  id: number
  result: TransportResult
  ms: number
  sessions: number
}

/** The transport in a child process inside the server's namespace, one request at a time. */
class Driver {
  private readonly child: ChildProcessWithoutNullStreams
  private readonly waiting = new Map<number, (r: Reply) => void>()
  private id = 0
  private stderr = ''

  constructor(netns: string) {
    const script = fileURLToPath(new URL('nfs3-driver.js', import.meta.url))
    this.child = spawn('ip', ['netns', 'exec', netns, process.execPath, script], {env: {...process.env, HAPAIR_NFS3_DRIVER: '1'}})
    this.child.stderr.on('data', (c) => (this.stderr += c))
    createInterface({input: this.child.stdout}).on('line', (line) => {
      const r = JSON.parse(line) as Reply
      this.waiting.get(r.id)?.(r)
    })
  }

  send(req: Omit<DriverRequest, 'id'>): Promise<Reply> {
    const id = ++this.id
    return new Promise((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`driver gave no answer to ${req.op} (stderr: ${this.stderr})`)), (req.timeoutMs ?? 5000) + 10_000)
      this.waiting.set(id, (r) => {
        clearTimeout(guard)
        resolve(r)
      })
      this.child.stdin.write(`${JSON.stringify({...req, id})}\n`)
    })
  }

  async close(): Promise<void> {
    await this.send({op: 'close'}).catch(() => undefined)
    this.child.stdin.end()
    if (this.child.exitCode === null) await new Promise((r) => this.child.once('exit', r))
  }
}

test('native NFSv3 client against NFS-Ganesha: FILE_SYNC writes, read back, list, dead and restarted server', {timeout: 180_000}, async (t) => {
  const missing = ganeshaMissing()
  assert.equal(missing, undefined, `this test runs a real NFS server (NFS-Ganesha in a network namespace), and ${missing}`)

  const server = new GaneshaServer()
  let driver: Driver | undefined
  try {
    await server.start(1)
    driver = new Driver(server.netns)
    const d = driver
    const runDir = join(server.exportDir, '.hapair-drill', 'run1')
    const dirUrl = nfsUrl('127.0.0.1', `${server.exportDir}/.hapair-drill/run1`)
    const url = (name: string) => withFile(dirUrl, name)
    const onDisk = (name: string) => readFileSync(join(runDir, name), 'utf8')
    const rec1 = makeRecord(1, new Date('2024-05-01T10:00:00Z'), Buffer.alloc(16, 1))

    await t.test('a record written (parent directories made) reads back byte-identical and is in the server directory, mode 0644', async () => {
      const w = await d.send({op: 'write', url: url('rec-000001'), content: rec1.content, timeoutMs: 5000})
      assert.deepEqual(w.result, {ok: true, stdout: ''})
      const r = await d.send({op: 'read', url: url('rec-000001'), timeoutMs: 5000})
      assert.deepEqual(r.result, {ok: true, stdout: rec1.content})
      assert.equal(onDisk('rec-000001'), rec1.content)
      assert.equal(statSync(join(runDir, 'rec-000001')).mode & 0o777, 0o644)
      assert.equal(w.sessions, 1)
    })

    await t.test('larger than one WRITE/READ chunk, and replacing a file truncates it', async () => {
      const big = 'x'.repeat(100_000) + '\n'
      assert.equal((await d.send({op: 'write', url: url('big'), content: big, timeoutMs: 5000})).result.ok, true)
      assert.equal((await d.send({op: 'read', url: url('big'), timeoutMs: 5000})).result.stdout, big)
      assert.equal(onDisk('big'), big)
      assert.equal((await d.send({op: 'write', url: url('big'), content: 'short\n', timeoutMs: 5000})).result.ok, true)
      assert.equal(onDisk('big'), 'short\n')
    })

    await t.test('list names the directory entries; a missing file is a named error', async () => {
      const l = await d.send({op: 'list', url: dirUrl, timeoutMs: 5000})
      assert.equal(l.result.ok, true)
      assert.deepEqual(l.result.stdout!.split('\n').filter(Boolean).sort(), ['big', 'rec-000001'])
      const missingRead = await d.send({op: 'read', url: url('rec-999999'), timeoutMs: 5000})
      assert.equal(missingRead.result.ok, false)
      assert.match(missingRead.result.error!, /^nfs LOOKUP .*\/rec-999999: NFS3ERR_NOENT \(no such file or directory\)$/)
      assert.match((await d.send({op: 'list', url: withFile(dirUrl, 'nope'), timeoutMs: 5000})).result.error!, /NFS3ERR_NOENT/)
    })

    await t.test('a server that stops answering: the write fails at its timeout with ok:false; once it answers again, writes succeed', async () => {
      await server.freeze()
      const w = await d.send({op: 'write', url: url('rec-000002'), content: 'frozen\n', timeoutMs: 1500})
      server.thaw()
      assert.equal(w.result.ok, false)
      assert.match(w.result.error!, /^no answer within 1500 ms/)
      assert.ok(w.ms >= 1400 && w.ms < 2500, `failed after ${w.ms} ms`)
      const again = await d.send({op: 'write', url: url('rec-000002'), content: 'thawed\n', timeoutMs: 5000})
      assert.deepEqual(again.result, {ok: true, stdout: ''})
      assert.equal(onDisk('rec-000002'), 'thawed\n')
      assert.ok(again.sessions > w.sessions, 'a fresh session after the timeout')
    })

    await t.test('the drill\'s ClientWriter over this transport through a server crash and restart: every acknowledged record is on disk intact', async () => {
      const dir2 = `${server.exportDir}/.hapair-drill/run2`
      const pending = d.send({op: 'writer', url: nfsUrl('127.0.0.1', dir2), intervalMs: 50, timeoutMs: 1000, runMs: 3000})
      await sleep(1000)
      await server.kill()
      await sleep(500)
      await server.start(1)
      const outcome = JSON.parse((await pending).result.stdout!) as WriterOutcome
      const found = new Map<number, string>()
      for (const name of readdirSync(dir2)) found.set(Number(name.replace('rec-', '')), createHash('sha256').update(readFileSync(join(dir2, name))).digest('hex'))
      const {lost, corrupted} = accountWrites(new Map(outcome.acked), found)
      assert.deepEqual({lost, corrupted}, {lost: [], corrupted: []})
      assert.ok(outcome.acked.length >= 10, `${outcome.acked.length} records acknowledged`)
      assert.ok(outcome.failed.length >= 1, 'writes failed while the server was down')
      // a record acknowledged just before the crash cannot be read back until the restart: the writer notes it, the final check decides
      assert.deepEqual(outcome.readBackProblems.filter((p) => !/read back failed/.test(p)), [])
      assert.ok(outcome.acked.some(([seq]) => seq > outcome.attempts - 5), 'writing resumed after the restart')
    })

    await t.test('a crashed server: the write fails fast with ok:false; after a restart with different file handles the next write succeeds', async () => {
      await server.kill()
      const dead = await d.send({op: 'write', url: url('rec-000003'), content: 'lost\n', timeoutMs: 3000})
      assert.equal(dead.result.ok, false)
      assert.match(dead.result.error!, /connection refused|lost|no answer/)
      assert.ok(dead.ms < 3100, `failed after ${dead.ms} ms`)

      await server.start(2) // Export_Id 2: every handle the client holds is stale now
      const back = await d.send({op: 'write', url: url('rec-000003'), content: 'after restart\n', timeoutMs: 5000})
      assert.deepEqual(back.result, {ok: true, stdout: ''})
      assert.equal(onDisk('rec-000003'), 'after restart\n')
      assert.ok(back.sessions > dead.sessions, 'mounted again')
      // records written before the crash are still there, through the new mount
      assert.deepEqual((await d.send({op: 'read', url: url('rec-000001'), timeoutMs: 5000})).result, {ok: true, stdout: rec1.content})
    })
  } finally {
    await driver?.close()
    await server.destroy()
  }
})
