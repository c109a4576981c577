import assert from 'node:assert/strict'
import {createServer} from 'node:net'
import {after, before, describe, it} from 'node:test'
import {ConnectError} from '../../../src/errors.js'
import {connectAll, connectReachable, type Connector} from '../../../src/transport/connect-all.js'
import {FakeHost} from '../../../src/transport/fake-host.js'
import type {SshTarget} from '../../../src/transport/ssh-connect.js'
import {sshdUnavailable, TestSshd} from './sshd-fixture.js'

const target = (node: string): SshTarget => ({node, address: '10.0.0.1', ssh: {user: 'root', port: 22, connectTimeout: 5}})
const opts = {acceptNewHostKeys: false, interactive: false}

describe('connectAll', () => {
  it('connects every node in parallel and returns them by name', async () => {
    let inFlight = 0
    let maxInFlight = 0
    const connect: Connector = async (t) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight)
      await new Promise((r) => setTimeout(r, 20))
      inFlight--
      return new FakeHost(t.node)
    }
    const hosts = await connectAll([target('node1'), target('node2')], opts, connect)
    assert.deepEqual([...hosts.keys()], ['node1', 'node2'])
    assert.equal(maxInFlight, 2, 'both connections were under way at once')
  })

  it('closes the connected ones and names every node that failed', async () => {
    const made: FakeHost[] = []
    const connect: Connector = async (t) => {
      if (t.node !== 'node1') throw new ConnectError(t.node, `connection refused by 10.0.0.1:22`, 'Is sshd running?')
      const host = new FakeHost(t.node)
      made.push(host)
      return host
    }
    await assert.rejects(connectAll([target('node1'), target('node2'), target('node3')], opts, connect), (error: ConnectError) => {
      assert.ok(error instanceof ConnectError)
      assert.match(error.message, /^node2, node3: could not connect to 2 of 3 nodes:/)
      assert.match(error.message, /\n {2}node2: connection refused by 10\.0\.0\.1:22\n {4}Is sshd running\?/)
      assert.match(error.message, /\n {2}node3: connection refused/)
      return true
    })
    assert.equal(made.length, 1)
    assert.equal(made[0].closed, true, 'the node that did connect was closed')
  })

  it('passes a single failure through unchanged (its hint intact)', async () => {
    const original = new ConnectError('node2', 'host key for node2 has CHANGED', 'ssh-keygen -R')
    const connect: Connector = async (t) => {
      if (t.node === 'node2') throw original
      return new FakeHost(t.node)
    }
    await assert.rejects(connectAll([target('node1'), target('node2')], opts, connect), (error) => error === original)
  })

  it('asks the user one question at a time even though nodes connect in parallel', async () => {
    const events: string[] = []
    const confirmHostKey = async (node: string) => {
      events.push(`ask ${node}`)
      await new Promise((r) => setTimeout(r, 20))
      events.push(`answered ${node}`)
      return true
    }
    const connect: Connector = async (t, o) => {
      await o.confirmHostKey!(t.node, 'SHA256:x', 'ssh-ed25519')
      return new FakeHost(t.node)
    }
    await connectAll([target('node1'), target('node2')], {...opts, interactive: true, confirmHostKey}, connect)
    assert.deepEqual(events, ['ask node1', 'answered node1', 'ask node2', 'answered node2'])
  })
})

describe('connectReachable', () => {
  it('keeps the nodes that connect and says why each other one did not (node prefix off, hint kept)', async () => {
    const connect: Connector = async (t) => {
      if (t.node === 'node2') throw new ConnectError(t.node, 'cannot reach 10.0.0.1:22 (EHOSTUNREACH)', 'Is the node up?')
      if (t.node === 'node3') throw new Error('socket hang up')
      return new FakeHost(t.node)
    }
    const {hosts, unreachable} = await connectReachable([target('node1'), target('node2'), target('node3')], opts, connect)
    assert.deepEqual([...hosts.keys()], ['node1'])
    assert.equal((hosts.get('node1') as FakeHost).closed, false, 'the reachable node stays open for the caller')
    assert.deepEqual(Object.fromEntries(unreachable), {
      node2: {message: 'cannot reach 10.0.0.1:22 (EHOSTUNREACH)', hint: 'Is the node up?'},
      node3: {message: 'socket hang up'},
    })
  })

  it('returns no hosts and every reason when nothing answers, without throwing', async () => {
    const connect: Connector = async (t) => {
      throw new ConnectError(t.node, 'timed out')
    }
    const {hosts, unreachable} = await connectReachable([target('node1'), target('node2')], opts, connect)
    assert.equal(hosts.size, 0)
    assert.deepEqual([...unreachable.keys()], ['node1', 'node2'])
  })
})

// Never a quiet skip: without root or sshd this fails and says what is missing.
describe('connectReachable against a real sshd and a closed port', () => {
  let sshd: TestSshd
  before(async () => {
    const unavailable = sshdUnavailable()
    if (unavailable) throw new Error(`cannot run the real-sshd test: ${unavailable} (run scripts/install-host-deps.sh as root)`)
    sshd = await TestSshd.start()
  })
  after(async () => {
    await sshd?.stop()
  })

  it('connects the live node and reports the other as refused', async () => {
    const server = createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const closed = (server.address() as {port: number}).port
    await new Promise((r) => server.close(r))
    const ssh = {user: 'root', identityFile: sshd.clientKey, knownHostsFile: sshd.knownHosts, connectTimeout: 5}
    const {hosts, unreachable} = await connectReachable(
      [
        {node: 'node1', address: '127.0.0.1', ssh: {...ssh, port: sshd.port}},
        {node: 'node2', address: '127.0.0.1', ssh: {...ssh, port: closed}},
      ],
      {acceptNewHostKeys: true, interactive: false},
    )
    try {
      assert.deepEqual([...hosts.keys()], ['node1'])
      assert.equal((await hosts.get('node1')!.run('echo up')).stdout.trim(), 'up')
      assert.match(unreachable.get('node2')!.message, new RegExp(`^connection refused by 127\\.0\\.0\\.1:${closed}`))
      assert.match(unreachable.get('node2')!.hint ?? '', /Is sshd running/)
    } finally {
      await Promise.all([...hosts.values()].map((h) => h.close()))
    }
  })
})
