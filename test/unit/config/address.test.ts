import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {addressKind, isHostname, isIPv6, nodeIp, replicationIp} from '../../../src/config/address.js'
import {parseClusterText} from '../../../src/config/load.js'

describe('isHostname', () => {
  it('takes inventory names', () => {
    for (const name of ['node1', 'node1.example.com', 'db-01.dc2.example.org', 'a', `${'a'.repeat(63)}.example.com`]) assert.ok(isHostname(name), name)
  })

  it('refuses what could reach a command line or a config file as something else', () => {
    for (const name of ['-oProxyCommand=sh', 'node1;reboot', 'node1 node2', '$(id)', '`id`', 'node1\nHost *', 'a..b', '.a', 'a.', 'node_1', 'nöde', 'a-', '', `${'a'.repeat(64)}.com`, `${'a.'.repeat(126)}ab`]) {
      assert.ok(!isHostname(name), JSON.stringify(name))
    }
  })

  it('does not take a mistyped IPv4 address for a name', () => {
    for (const text of ['999.1.1.1', '1.2.3', '10.0.0.256']) assert.ok(!isHostname(text), text)
  })
})

describe('addressKind', () => {
  it('tells the three kinds apart and refuses the rest', () => {
    assert.equal(addressKind('192.168.1.151'), 'ipv4')
    assert.equal(addressKind('fd00::11'), 'ipv6')
    assert.equal(addressKind('2001:db8::1'), 'ipv6')
    assert.equal(addressKind('node1.example.com'), 'hostname')
    assert.equal(addressKind('fd00::zz'), undefined)
    assert.equal(addressKind('[fd00::1]'), undefined)
    assert.ok(!isIPv6('fe80::1%eth0'), 'no zone ids: they name an interface of this machine')
  })
})

describe('nodeIp / replicationIp', () => {
  it('prefer ip, then the address; replication prefers its own link', () => {
    assert.equal(nodeIp({address: 'node1.example.com', ip: '10.0.0.1'}), '10.0.0.1')
    assert.equal(nodeIp({address: '10.0.0.2'}), '10.0.0.2')
    assert.equal(replicationIp({address: 'node1', ip: '10.0.0.1', replicationAddress: 'fd00::1'}), 'fd00::1')
    assert.equal(replicationIp({address: 'node1', ip: '10.0.0.1'}), '10.0.0.1')
  })
})

const FILE = (node1: string, extra = '') => `name: c
stack: keepalived
nodes:
  - name: node1
    address: ${node1}${extra}
  - name: node2
    address: 192.168.1.152
vip: {address: 192.168.1.200, prefix: 24, interface: eth0}
storage: {disk: /dev/sdb, partition: {number: 1, size: 1G}}
filesystem: {mountPoint: /data}
nfs: {exports: [{path: /data, clients: 192.168.1.0/24}]}
keepalived: {virtualRouterId: 51}
`

describe('nodes[].address in the cluster file', () => {
  it('accepts a host name and an IPv6 address', () => {
    assert.deepEqual(parseClusterText(FILE('node1.example.com')).problems, [])
    assert.deepEqual(parseClusterText(FILE("'fd00::11'")).problems, [])
  })

  it('refuses a hostile name with its path and a fix, and names the ip key where an IP is needed', () => {
    const [p] = parseClusterText(FILE("'-oProxyCommand=touch /tmp/x'")).problems
    assert.equal(p.path, 'nodes[0].address')
    assert.match(p.message, /not an IPv4 or IPv6 address or a host name/)
    assert.match(p.fix ?? '', /node1\.example\.com/)
  })

  it('checks nodes[].ip against the VIP like an address', () => {
    const problems = parseClusterText(FILE('node1.example.com', '\n    ip: 10.9.9.9')).problems
    assert.equal(problems[0]?.path, 'vip.address')
    assert.match(problems[0].message, /does not contain node1 \(10\.9\.9\.9\)/)
  })

  it('validates ssh.proxyJump hop by hop', () => {
    assert.deepEqual(parseClusterText(FILE('node1', '\n    ssh: {proxyJump: "admin@bastion.example.com:2222,[fd00::1]:22"}')).problems, [])
    const [p] = parseClusterText(FILE('node1', '\n    ssh: {proxyJump: "admin@-oProxyCommand=x"}')).problems
    assert.equal(p.path, 'nodes[0].ssh.proxyJump')
  })
})
