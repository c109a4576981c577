import assert from 'node:assert/strict'
import {createServer, type AddressInfo, type Server, type Socket} from 'node:net'
import {test} from 'node:test'
import {RpcClient, RpcError} from '../../../../src/drills/nfs3/rpc-client.js'
import {frameRecord, RecordAssembler} from '../../../../src/drills/nfs3/rpc.js'
import {XdrWriter} from '../../../../src/drills/nfs3/xdr.js'

const PROG = 100003
const ECHO = 1
const FRAGMENTED = 2
const SILENT = 3
const HANG_UP = 4
const HELD = 5
const RELEASE = 6

const reply = (xid: number, value: number) => new XdrWriter().uint32(xid).uint32(1).uint32(0).uint32(0).uint32(0).uint32(0).uint32(value).toBuffer()

/** A fake RPC server: procedure numbers choose how it misbehaves (see the constants). */
async function fakeServer(): Promise<{server: Server; port: number; connections: number; remotePorts: number[]}> {
  const state = {connections: 0, remotePorts: [] as number[]}
  const server = createServer((sock: Socket) => {
    state.connections++
    state.remotePorts.push(sock.remotePort!)
    const asm = new RecordAssembler()
    let held: number | undefined
    sock.on('error', () => undefined)
    sock.on('data', (chunk) => {
      for (const call of asm.push(chunk)) {
        const xid = call.readUInt32BE(0)
        const proc = call.readUInt32BE(20)
        const arg = call.readUInt32BE(call.length - 4)
        if (proc === ECHO) sock.write(frameRecord(reply(xid, arg)))
        if (proc === FRAGMENTED) {
          const framed = frameRecord(reply(xid, arg), 5)
          for (let i = 0; i < framed.length; i += 3) sock.write(framed.subarray(i, i + 3))
        }
        if (proc === HANG_UP) sock.destroy()
        if (proc === HELD) held = xid
        if (proc === RELEASE) {
          sock.write(frameRecord(reply(xid, arg)))
          sock.write(frameRecord(reply(held!, 555)))
        }
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return Object.assign(state, {server, port: (server.address() as AddressInfo).port}) as never
}

const arg = (n: number) => new XdrWriter().uint32(n).toBuffer()
const isRoot = process.getuid?.() === 0

test('calls and replies matched by xid, also out of order and across fragments cut anywhere', async () => {
  const s = await fakeServer()
  const c = new RpcClient({host: '127.0.0.1', port: s.port, privilegedPort: false})
  try {
    assert.equal((await c.call(PROG, 3, ECHO, 'ECHO', arg(41), 2000)).uint32(), 41)
    assert.equal((await c.call(PROG, 3, FRAGMENTED, 'FRAG', arg(42), 2000)).uint32(), 42)
    const held = c.call(PROG, 3, HELD, 'HELD', arg(0), 2000)
    const release = c.call(PROG, 3, RELEASE, 'RELEASE', arg(43), 2000)
    assert.deepEqual(await Promise.all([held.then((r) => r.uint32()), release.then((r) => r.uint32())]), [555, 43])
    assert.equal(s.connections, 1, 'one connection for all of them')
  } finally {
    c.close()
    s.server.close()
  }
})

test('a call with no answer fails at its timeout, drops the connection, and the next call reconnects', async () => {
  const s = await fakeServer()
  const c = new RpcClient({host: '127.0.0.1', port: s.port, privilegedPort: false})
  try {
    const started = Date.now()
    const bystander = c.call(PROG, 3, HELD, 'HELD', arg(0), 5000)
    await assert.rejects(c.call(PROG, 3, SILENT, 'SILENT', arg(0), 300), (e: unknown) => e instanceof RpcError && e.kind === 'timeout' && /^nfs v3 SILENT: no answer from 127\.0\.0\.1:\d+ within 300 ms$/.test(e.message))
    const waited = Date.now() - started
    // Its own 300 ms, not the bystander's 5000 (the upper bound is generous for a loaded machine).
    assert.ok(waited >= 290 && waited < 4500, `timed out after ${waited} ms`)
    await assert.rejects(bystander, /nfs v3 HELD: connection to 127\.0\.0\.1:\d+ lost \(an earlier call got no answer within 300 ms\)/)
    assert.equal(c.connected, false)
    assert.equal((await c.call(PROG, 3, ECHO, 'ECHO', arg(7), 2000)).uint32(), 7)
    assert.equal(s.connections, 2)
  } finally {
    c.close()
    s.server.close()
  }
})

test('the server hanging up fails the waiting call with a clear error; a later call reconnects', async () => {
  const s = await fakeServer()
  const c = new RpcClient({host: '127.0.0.1', port: s.port, privilegedPort: false})
  try {
    await assert.rejects(c.call(PROG, 3, HANG_UP, 'WRITE', arg(0), 2000), (e: unknown) => e instanceof RpcError && e.kind === 'disconnected' && /^nfs v3 WRITE: connection to 127\.0\.0\.1:\d+ lost \((closed by the server|read ECONNRESET)\)$/.test(e.message))
    assert.equal((await c.call(PROG, 3, ECHO, 'ECHO', arg(8), 2000)).uint32(), 8)
    assert.equal(s.connections, 2)
  } finally {
    c.close()
    s.server.close()
  }
})

test('nobody listening: a connect error right away, not a timeout', async () => {
  const s = await fakeServer()
  const port = s.port
  await new Promise((r) => s.server.close(r))
  const c = new RpcClient({host: '127.0.0.1', port, privilegedPort: false})
  const started = Date.now()
  await assert.rejects(c.call(100005, 3, 1, 'MNT', arg(0), 3000), (e: unknown) => e instanceof RpcError && e.kind === 'connect' && e.message === `mountd v3 MNT: cannot connect to 127.0.0.1:${port}: connection refused (server not running?)`)
  assert.ok(Date.now() - started < 2900, 'refused at once, not after the 3000 ms timeout')
  c.close()
  await assert.rejects(c.call(PROG, 3, ECHO, 'ECHO', arg(0), 100), /the client is closed/)
})

test(`the source port is privileged (665-1023) as Linux nfsd's "secure" wants${isRoot ? '' : ' (not root: an ordinary port, flagged)'}`, async () => {
  const s = await fakeServer()
  const c = new RpcClient({host: '127.0.0.1', port: s.port})
  try {
    assert.equal((await c.call(PROG, 3, ECHO, 'ECHO', arg(1), 2000)).uint32(), 1)
    if (isRoot) {
      assert.ok(s.remotePorts[0] >= 665 && s.remotePorts[0] <= 1023, `source port ${s.remotePorts[0]}`)
      assert.equal(c.unprivileged, false)
    } else {
      assert.ok(s.remotePorts[0] > 1023)
      assert.equal(c.unprivileged, true)
    }
  } finally {
    c.close()
    s.server.close()
  }
})

const listenOn = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const b = createServer()
    b.once('error', reject)
    b.listen(port, '0.0.0.0', () => resolve(b))
  })

/** Eight consecutive ports above the ephemeral range, all free: seven held, the last released. */
async function rangeWithOneFree(): Promise<{low: number; blockers: Server[]}> {
  for (let low = 61000; low < 65000; low += 8) {
    const held = await Promise.allSettled(Array.from({length: 8}, (_, i) => listenOn(low + i)))
    const ok = held.flatMap((h) => (h.status === 'fulfilled' ? [h.value] : []))
    if (ok.length === 8) {
      await new Promise((r) => ok[7].close(r))
      return {low, blockers: ok.slice(0, 7)}
    }
    for (const b of ok) b.close()
  }
  throw new Error('no eight free consecutive ports in 61000-65000')
}

test('busy source ports are skipped', async () => {
  const s = await fakeServer()
  // seven ports of an eight-port range taken (unprivileged here, the logic is the same): the client ends up on the free one
  const {low, blockers} = await rangeWithOneFree()
  const c = new RpcClient({host: '127.0.0.1', port: s.port, portRange: [low, low + 7]})
  try {
    assert.equal((await c.call(PROG, 3, ECHO, 'ECHO', arg(2), 2000)).uint32(), 2)
    assert.deepEqual(s.remotePorts, [low + 7])
  } finally {
    c.close()
    s.server.close()
    for (const b of blockers) b.close()
  }
})
