/** heartbeat's files as pure functions: exact output for the shapes the cluster file can take. */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {testCluster, TEST_SECRETS} from '../../helpers/cluster.js'
import {stackOf} from '../../../src/stacks/registry.js'
import {redactSecretKeys} from '../../../src/facts/file.js'
import {AUTHKEYS_SECRET_KEYS, renderAuthkeys, renderHaCf, renderHaresources} from '../../../src/templates/heartbeat.js'

const hbCluster = (heartbeat: Record<string, unknown> = {}, more: Record<string, unknown> = {}) => testCluster({stack: 'heartbeat', keepalived: undefined, heartbeat, ...more})
const facts = {unames: ['node1', 'node2'], iface: 'eth0', ipfail: '/usr/libexec/heartbeat/ipfail'}

describe('ha.cf', () => {
  it('defaults: unicast to the peer, auto_failback off, node lines from uname -n, crm off', () => {
    const {config} = hbCluster()
    assert.equal(
      renderHaCf(config, config.heartbeat!, config.nodes[0], facts),
      [
        '# managed by hapair (cluster lab): heartbeat configuration of node1. Edit the cluster file and re-run hapair.',
        'logfile /var/log/ha-log',
        'logfacility local0',
        'keepalive 1',
        'warntime 3',
        'deadtime 5',
        'initdead 20',
        'udpport 694',
        'ucast eth0 192.168.77.12',
        'auto_failback off',
        'node node1',
        'node node2',
        'crm off',
        '',
      ].join('\n'),
    )
    assert.match(renderHaCf(config, config.heartbeat!, config.nodes[1], facts), /^ucast eth0 192\.168\.77\.11$/m)
  })

  it('the peer is reached on its replication address when it has one', () => {
    const {config} = hbCluster({}, {nodes: [{name: 'node1', address: '192.168.77.11', replicationAddress: '10.0.0.1'}, {name: 'node2', address: '192.168.77.12', replicationAddress: '10.0.0.2'}]})
    assert.match(renderHaCf(config, config.heartbeat!, config.nodes[0], {...facts, iface: 'eth1'}), /^ucast eth1 10\.0\.0\.2$/m)
  })

  it('a peer addressed by name is reached on its resolved IPv4, never the name', () => {
    const {config} = hbCluster({}, {nodes: [{name: 'node1', address: '192.168.77.11'}, {name: 'node2', address: 'node2.example.com', ip: '192.168.77.12'}]})
    const text = renderHaCf(config, config.heartbeat!, config.nodes[0], facts)
    assert.match(text, /^ucast eth0 192\.168\.77\.12$/m)
    assert.doesNotMatch(text, /example\.com/)
  })

  it('bcast, mcast, a ping node with ipfail, auto_failback on, other timings, names that differ from the file', () => {
    const {config} = hbCluster({media: 'mcast', mcastGroup: '239.0.0.9', udpPort: 695, ping: '192.168.77.1', autoFailback: true, keepalive: 2, deadtime: 10, warntime: 6, initdead: 30})
    const text = renderHaCf(config, config.heartbeat!, config.nodes[0], {...facts, unames: ['alpha', 'beta']})
    assert.equal(
      text.split('\n').slice(3).join('\n'),
      [
        'keepalive 2',
        'warntime 6',
        'deadtime 10',
        'initdead 30',
        'udpport 695',
        'mcast eth0 239.0.0.9 695 1 0',
        'auto_failback on',
        'node alpha',
        'node beta',
        '# A node that cannot reach the ping node gives the resources to a peer that can.',
        'ping 192.168.77.1',
        'respawn hacluster /usr/libexec/heartbeat/ipfail',
        'crm off',
        '',
      ].join('\n'),
    )
    const bcast = hbCluster({media: 'bcast'}).config
    assert.match(renderHaCf(bcast, bcast.heartbeat!, bcast.nodes[0], facts), /^bcast eth0$/m)
  })
})

describe('haresources', () => {
  it('nfs-heartbeat: the VIP, DRBD, the mount and NFS, owned by the preferred node', () => {
    const {config} = hbCluster()
    assert.equal(stackOf(config).id, 'nfs-heartbeat')
    assert.equal(
      renderHaresources(config, 'node1', stackOf(config).heartbeat!.resources(config)),
      [
        '# managed by hapair (cluster lab): heartbeat resources, identical on both nodes. Edit the cluster file and re-run hapair.',
        '# The first word is the node that normally holds the group; the resources start left to right',
        '# and stop right to left.',
        'node1 hapair-vip drbddisk::r0 hapair-fs hapair-nfs',
        '',
      ].join('\n'),
    )
  })

  it('drbd-heartbeat: DRBD and the mount only, no VIP', () => {
    const {config} = hbCluster({}, {service: 'filesystem', nfs: undefined, filesystem: {type: 'xfs', mountPoint: '/srv/data'}})
    assert.equal(stackOf(config).id, 'drbd-heartbeat')
    assert.equal(stackOf(config).floatsVip, false)
    assert.match(renderHaresources(config, 'node2', stackOf(config).heartbeat!.resources(config)), /^node2 drbddisk::r0 hapair-fs\n$/m)
  })
})

describe('authkeys', () => {
  it('sha1 with the generated key; the key is exactly what redaction hides', () => {
    const {config} = hbCluster()
    const text = renderAuthkeys(config, TEST_SECRETS)
    assert.equal(text.split('\n').slice(1).join('\n'), `auth 1\n1 sha1 ${TEST_SECRETS.heartbeatAuthkey}\n`)
    const shown = redactSecretKeys(text, AUTHKEYS_SECRET_KEYS)
    assert.ok(!shown.includes(TEST_SECRETS.heartbeatAuthkey))
    assert.match(shown, /^1 sha1 <secret>$/m)
  })
})
