import assert from 'node:assert/strict'
import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {loadCluster} from '../../../src/config/load.js'
import type {ResolveDeps} from '../../../src/config/resolve-nodes.js'
import {ConfigError} from '../../../src/errors.js'
import {sshConfigLookup} from '../../../src/transport/ssh-config.js'

const FILE = (node1: string, node2 = 'address: 192.168.1.152') => `name: c
stack: keepalived
nodes:
  - name: node1
    ${node1}
  - name: node2
    ${node2}
vip: {address: 192.168.1.200, prefix: 24, interface: eth0}
storage: {disk: /dev/sdb, partition: {number: 1, size: 1G}}
filesystem: {mountPoint: /data}
nfs: {exports: [{path: /data, clients: 192.168.1.0/24}]}
keepalived: {virtualRouterId: 51}
`

async function load(text: string, deps: Partial<ResolveDeps> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'hapair-resolve-'))
  const file = join(dir, 'hapair.yaml')
  await writeFile(file, text)
  const resolveName = deps.resolveName ?? (async () => assert.fail('no name lookup expected'))
  return loadCluster(file, {resolve: {sshConfig: sshConfigLookup(''), localUser: 'me', ...deps, resolveName}})
}

async function problems(text: string, deps: Partial<ResolveDeps> = {}) {
  try {
    await load(text, deps)
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error))
    return error.problems
  }
  return assert.fail('the file was accepted')
}

describe('resolving node names at load', () => {
  it('fills in ip for a host name from a single IPv4 answer', async () => {
    const {config} = await load(FILE('address: node1.example.com'), {resolveName: async (n) => (n === 'node1.example.com' ? ['192.168.1.151'] : [])})
    assert.equal(config.nodes[0].ip, '192.168.1.151')
    assert.equal(config.nodes[0].address, 'node1.example.com', 'SSH still dials the name')
    assert.equal(config.nodes[1].ip, undefined)
  })

  it('refuses what it cannot be sure of, each naming the node and the ip key', async () => {
    const cases: Array<[string, ResolveDeps['resolveName'], RegExp]> = [
      ['address: node1.example.com', async () => Promise.reject(Object.assign(new Error('x'), {code: 'ENOTFOUND'})), /does not resolve to an IPv4 address on this machine \(ENOTFOUND\)/],
      ['address: node1.example.com', async () => ['127.0.1.1'], /loopback address 127\.0\.1\.1/],
      ['address: node1.example.com', async () => ['192.168.1.151', '192.168.1.161'], /resolves to 192\.168\.1\.151, 192\.168\.1\.161/],
      ["address: 'fd00::11'", async () => [], /IPv6 address and the VIP is IPv4/],
      ['address: node1.example.com\n    ssh: {proxyJump: bastion}', async () => ['192.168.1.151'], /reached through a jump host/],
    ]
    for (const [node1, resolveName, message] of cases) {
      const [p] = await problems(FILE(node1), {resolveName})
      assert.equal(p.path, 'nodes[0].address')
      assert.match(p.message, message)
      assert.match(p.fix ?? '', /add `ip: <node1's IPv4 address on the VIP's network>` to nodes\[0\]/)
    }
  })

  it('checks the resolved address against the VIP', async () => {
    const [p] = await problems(FILE('address: node1.example.com'), {resolveName: async () => ['10.1.1.1']})
    assert.equal(p.path, 'vip.address')
    assert.match(p.message, /does not contain node1 \(10\.1\.1\.1\)/)
  })

  it('takes an explicit ip without asking DNS', async () => {
    const {config} = await load(FILE('address: node1.example.com\n    ip: 192.168.1.151'))
    assert.equal(config.nodes[0].ip, '192.168.1.151')
  })
})

describe('~/.ssh/config at load', () => {
  const sshConfig = sshConfigLookup(`Host node1
  HostName 192.168.1.151
  User admin
  Port 2222
  IdentityFile ~/.ssh/cluster
  ProxyJump ops@bastion:2200,hop2
Host hop2
  HostName 10.0.0.2
  User jumper
  IdentityFile ~/.ssh/jump
Host 192.168.1.152
  User other
  StrictHostKeyChecking accept-new
`)

  it('fills what the cluster file leaves unset, resolves HostName as the IP and completes each jump hop', async () => {
    const {config} = await load(FILE('address: node1'), {sshConfig})
    const n1 = config.nodes[0]
    assert.equal(n1.ip, '192.168.1.151', 'HostName is an IPv4: no lookup')
    assert.deepEqual({user: n1.ssh.user, port: n1.ssh.port, identityFile: n1.ssh.identityFile}, {user: 'admin', port: 2222, identityFile: '~/.ssh/cluster'})
    const route = (n1.ssh as {route?: unknown}).route
    assert.deepEqual(route, {
      host: '192.168.1.151',
      jumps: [
        {name: 'bastion', host: 'bastion', port: 2200, user: 'ops'},
        {name: 'hop2', host: '10.0.0.2', port: 22, user: 'jumper', identityFile: '~/.ssh/jump'},
      ],
      fromSshConfig: 'HostName, User, Port, IdentityFile, ProxyJump from ~/.ssh/config',
    })
    assert.deepEqual((config.nodes[1].ssh as {route?: unknown}).route, {host: '192.168.1.152', jumps: [], acceptNewHostKeys: true, fromSshConfig: 'User, StrictHostKeyChecking from ~/.ssh/config'})
    assert.equal(config.nodes[1].ssh.user, 'other')
  })

  it('lets the cluster file win where it says something', async () => {
    const {config} = await load(FILE('address: node1\n    ssh: {user: root, port: 22, proxyJump: root@gw}'), {sshConfig})
    const n1 = config.nodes[0]
    assert.deepEqual({user: n1.ssh.user, port: n1.ssh.port}, {user: 'root', port: 22})
    assert.deepEqual((n1.ssh as {route?: {jumps: unknown}}).route?.jumps, [{name: 'gw', host: 'gw', port: 22, user: 'root'}])
  })

  it('refuses a HostName that is not an address or a name', async () => {
    const [p] = await problems(FILE('address: node1'), {sshConfig: sshConfigLookup('Host node1\n  HostName "a;b"\n')})
    assert.equal(p.path, 'nodes[0].address')
    assert.match(p.message, /~\/\.ssh\/config gives node1 the HostName "a;b"/)
  })
})
