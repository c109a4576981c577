import {test} from 'node:test'
import assert from 'node:assert/strict'
import {covers, firewallNeeds, needLabel} from '../../../src/preflight/ports.js'
import {recordedConfig} from './recorded.js'

const summary = (config = recordedConfig(), node = 0) =>
  firewallNeeds(config, config.nodes[node]).map((n) => `${needLabel(n)} ${n.service} from ${n.from.kind === 'peer' ? n.from.address : n.from.kind}${n.required ? '' : ' (optional)'}`)

test('keepalived + NFS: SSH, DRBD from the peer, NFS (v3 extras optional), VRRP as IP protocol 112', () => {
  assert.deepEqual(summary(), [
    '22/tcp SSH from admin',
    '7788/tcp DRBD r0 from 192.0.2.12',
    '2049/tcp NFS server from clients',
    '111/tcp rpcbind from clients (optional)',
    '111/udp rpcbind from clients (optional)',
    '20048/tcp mountd from clients (optional)',
    'VRRP (IP protocol 112) keepalived VRRP from 192.0.2.12',
  ])
  const vrrp = firewallNeeds(recordedConfig(), recordedConfig().nodes[1]).find((n) => n.kind === 'protocol')
  assert.deepEqual(vrrp && vrrp.from, {kind: 'peer', address: '192.0.2.11'})
})

test('multicast VRRP says so; the replication address is where DRBD traffic comes from', () => {
  const config = recordedConfig({
    keepalived: {virtualRouterId: 51, unicast: false},
    nodes: [
      {name: 'pfnode1', address: '192.0.2.11', replicationAddress: '10.0.0.1'},
      {name: 'pfnode2', address: '192.0.2.12', replicationAddress: '10.0.0.2'},
    ],
  })
  const needs = firewallNeeds(config, config.nodes[0])
  const vrrp = needs.find((n) => n.kind === 'protocol')
  assert.equal(vrrp?.kind === 'protocol' && vrrp.multicast, true)
  assert.match(vrrp?.note ?? '', /224\.0\.0\.18/)
  assert.deepEqual(needs.find((n) => n.service === 'DRBD r0')?.from, {kind: 'peer', address: '10.0.0.2'})
})

test('heartbeat: its UDP port; pacemaker: corosync (udpu adds port-1) and pcsd optional; lvs: the virtual service, no DRBD', () => {
  assert.ok(summary(recordedConfig({stack: 'heartbeat', keepalived: undefined, heartbeat: {udpPort: 695}})).includes('695/udp heartbeat from 192.0.2.12'))
  const pm = summary(recordedConfig({stack: 'pacemaker', keepalived: undefined, pacemaker: {transport: 'udpu', fencing: 'none'}}))
  assert.ok(pm.includes('5404-5405/udp corosync (udpu) from 192.0.2.12'))
  assert.ok(pm.includes('2224/tcp pcsd from 192.0.2.12 (optional)'))
  assert.ok(!pm.some((l) => l.startsWith('VRRP')))
  assert.ok(summary(recordedConfig({stack: 'pacemaker', keepalived: undefined, pacemaker: {fencing: 'none'}})).includes('5405/udp corosync (knet) from 192.0.2.12'))
  const lvs = summary(recordedConfig({stack: 'lvs', nfs: undefined, storage: undefined, filesystem: undefined, lvs: {port: 443, realServers: [{name: 'web1', address: '192.0.2.21'}, {name: 'web2', address: '192.0.2.22'}]}}))
  assert.deepEqual(lvs, ['22/tcp SSH from admin', '443/tcp LVS virtual service from clients', 'VRRP (IP protocol 112) keepalived VRRP from 192.0.2.12'])
})

test('covers: a port or range inside a range', () => {
  assert.equal(covers([5404, 5412], 5405), true)
  assert.equal(covers([5404, 5412], [5404, 5405]), true)
  assert.equal(covers([5405, 5412], [5404, 5405]), false)
  assert.equal(covers([22, 22], 23), false)
})
