/**
 * ProxyJump against two real OpenSSH sshds on loopback (see sshd-fixture.ts): the node is reached
 * only through a channel of the jump host's connection, and both host keys are verified.
 * The route comes from a real ssh_config text through resolveNodes, as `hapair` builds it.
 */
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {resolveNodes} from '../../../src/config/resolve-nodes.js'
import type {SshConfig} from '../../../src/config/schema.js'
import {ConnectError} from '../../../src/errors.js'
import {sshConfigLookup} from '../../../src/transport/ssh-config.js'
import {connectHost, type SshTarget} from '../../../src/transport/ssh-connect.js'
import {testCluster} from '../../helpers/cluster.js'
import {keygen, sshdUnavailable, TestSshd} from './sshd-fixture.js'

// Never a quiet skip: without root or sshd these tests fail and say what is missing.
const unavailable = sshdUnavailable()

describe('ProxyJump through a real jump sshd', () => {
  let bastion: TestSshd
  let node: TestSshd
  let knownHosts: string
  before(async () => {
    if (unavailable) throw new Error(`cannot run the real-sshd tests: ${unavailable} (run scripts/install-host-deps.sh as root)`)
    ;[bastion, node] = await Promise.all([TestSshd.start(), TestSshd.start()])
    knownHosts = join(bastion.dir, 'known_hosts_both')
  })
  after(async () => {
    await Promise.all([bastion?.stop(), node?.stop()])
  })

  /** The target as `hapair` builds it: the cluster file says `address: node1`, ~/.ssh/config says the rest. */
  async function target(): Promise<SshTarget> {
    const sshConfig = sshConfigLookup(`Host node1
  HostName 127.0.0.1
  Port ${node.port}
  IdentityFile ${node.clientKey}
  ProxyJump bastion

Host bastion
  HostName 127.0.0.1
  Port ${bastion.port}
  User root
  IdentityFile ${bastion.clientKey}
`)
    const {config} = testCluster({nodes: [{name: 'node1', address: 'node1', ip: '192.168.77.11', ssh: {knownHostsFile: knownHosts, connectTimeout: 5}}, {name: 'node2', address: '192.168.77.12'}]})
    const raw = {nodes: [{ssh: {knownHostsFile: knownHosts, connectTimeout: 5}}, {}]}
    const resolved = await resolveNodes(config, raw, {sshConfig, resolveName: async () => assert.fail('no lookup: ip is given'), localUser: 'nobody'})
    assert.deepEqual(resolved.problems, [])
    const n = resolved.config.nodes[0]
    return {node: n.name, address: n.address, ssh: n.ssh as SshConfig}
  }

  it('verifies the jump host key first: an unknown one stops before the node is dialled', async () => {
    await assert.rejects(connectHost(await target(), {acceptNewHostKeys: false, interactive: false}), (error: ConnectError) => {
      assert.ok(error instanceof ConnectError)
      assert.match(error.message, new RegExp(`^node1: host key for jump host bastion \\(127\\.0\\.0\\.1:${bastion.port}\\) is not known`))
      assert.ok(error.message.includes(bastion.hostFingerprint))
      return true
    })
    assert.equal(bastion.logins, 0)
    assert.equal(node.logins, 0)
  })

  it('records both keys when told to, then connects strictly, through the jump host', async () => {
    const first = await connectHost(await target(), {acceptNewHostKeys: true, interactive: false})
    await first.close()
    const recorded = readFileSync(knownHosts, 'utf8')
    assert.match(recorded, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${bastion.port} ssh-ed25519 `, 'm'))
    assert.match(recorded, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${node.port} ssh-ed25519 `, 'm'))

    const before = {bastion: bastion.logins, node: node.logins}
    const host = await connectHost(await target(), {acceptNewHostKeys: false, interactive: false})
    try {
      const result = await host.run('echo "$SSH_CONNECTION"', {label: 'where from'})
      assert.equal(result.code, 0)
      assert.match(result.stdout, new RegExp(` ${node.port}\\n$`), 'the node sees a connection on its own port')
    } finally {
      await host.close()
    }
    assert.deepEqual({bastion: bastion.logins, node: node.logins}, {bastion: before.bastion + 1, node: before.node + 1}, 'one login on each: the node was reached through the jump host')
    assert.match(node.log, new RegExp(`Accepted publickey for root from 127\\.0\\.0\\.1`))
    assert.match(bastion.log, /Accepted publickey for root from 127\.0\.0\.1/)
  })

  it('asks about each new key by the name of the host that offers it', async () => {
    const fresh = {...(await target())}
    fresh.ssh = {...fresh.ssh, knownHostsFile: join(bastion.dir, 'known_hosts_asked')}
    const asked: string[] = []
    const host = await connectHost(fresh, {acceptNewHostKeys: false, interactive: true, confirmHostKey: async (who) => (asked.push(who), true)})
    await host.close()
    assert.deepEqual(asked, ['jump host bastion', 'node1'])
  })

  it("verifies the node's own key behind the jump host: a changed one is refused", async () => {
    // Replace the node's recorded key with another one: what a man in the middle behind the bastion would present.
    const stranger = join(node.dir, 'stranger_host')
    keygen(stranger)
    const lines = readFileSync(knownHosts, 'utf8').split('\n').map((l) => (l.startsWith(`[127.0.0.1]:${node.port} `) ? `[127.0.0.1]:${node.port} ${readFileSync(`${stranger}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}` : l))
    writeFileSync(knownHosts, lines.join('\n'))
    const logins = node.logins
    await assert.rejects(connectHost(await target(), {acceptNewHostKeys: true, interactive: false}), (error: ConnectError) => {
      assert.match(error.message, /^node1: host key for node1 \(127\.0\.0\.1:\d+\) has CHANGED!/)
      return true
    })
    assert.equal(node.logins, logins, 'no login at the node')
  })

  it('names the jump host when it cannot reach the node', async () => {
    await node.stop()
    await assert.rejects(connectHost(await target(), {acceptNewHostKeys: true, interactive: false}), (error: ConnectError) => {
      assert.match(error.message, new RegExp(`^node1: jump host bastion could not open a connection to 127\\.0\\.0\\.1:${node.port}`))
      assert.match(error.hint ?? '', /AllowTcpForwarding/)
      return true
    })
  })
})
