import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {ConnectError} from '../../../src/errors.js'
import {connectAll, type Connector} from '../../../src/transport/connect-all.js'
import {FakeHost} from '../../../src/transport/fake-host.js'
import type {SshTarget} from '../../../src/transport/ssh-host.js'

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
