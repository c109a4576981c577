import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {backingDevice, drbdConf, drbdRate, drbdResourceConf, globalCommonConf, resourceFilePath} from '../../../src/templates/drbd.js'
import {testCluster} from '../../helpers/cluster.js'
import {recorded} from '../../helpers/recorded.js'

describe('DRBD resource file', () => {
  const {config, secrets} = testCluster()

  it('has the resource, device, backing partition, internal metadata and one `on` block per node', () => {
    const text = drbdResourceConf(config, secrets, 8)
    assert.match(text, /^resource r0 \{$/m)
    assert.match(text, /^  device \/dev\/drbd0;$/m)
    assert.match(text, /^  disk \/dev\/vdb1;$/m)
    assert.match(text, /^  meta-disk internal;$/m)
    assert.match(text, /^  on node1 \{\n    address 192\.168\.77\.11:7788;\n  \}$/m)
    assert.match(text, /^  on node2 \{\n    address 192\.168\.77\.12:7788;\n  \}$/m)
    assert.doesNotMatch(text, /node-id/, '8.4 has no node ids')
  })

  it('net: protocol, HMAC with the generated secret, split-brain policies; disk: detach on error and the rate; notify handlers', () => {
    const text = drbdResourceConf(config, secrets, 8)
    for (const line of [
      'protocol C;',
      'cram-hmac-alg sha1;',
      `shared-secret "${secrets.drbdSharedSecret}";`,
      'after-sb-0pri discard-zero-changes;',
      'after-sb-1pri consensus;',
      'after-sb-2pri disconnect;',
      'on-io-error detach;',
      'resync-rate 100M;',
      'c-max-rate 100M;',
      'split-brain "/usr/lib/drbd/notify-split-brain.sh root";',
      'out-of-sync "/usr/lib/drbd/notify-out-of-sync.sh root";',
    ]) {
      assert.ok(text.includes(`    ${line}\n`), `missing: ${line}`)
    }
  })

  it('9 adds explicit node ids in cluster-file order', () => {
    const text = drbdResourceConf(config, secrets, 9)
    assert.match(text, /on node1 \{\n    node-id 0;/)
    assert.match(text, /on node2 \{\n    node-id 1;/)
  })

  it('uses the replication address, other ports, protocols, devices and partitions', () => {
    const c = testCluster({
      nodes: [
        {name: 'ha1', address: '192.168.10.11', replicationAddress: '10.99.0.1'},
        {name: 'ha2', address: '192.168.10.12', replicationAddress: '10.99.0.2'},
      ],
      storage: {disk: '/dev/nvme1n1', partition: {number: 2, size: '1.5T'}},
      drbd: {resource: 'nfsdata', device: '/dev/drbd1', port: 7790, protocol: 'A', syncRate: '40M'},
    })
    const text = drbdResourceConf(c.config, c.secrets, 8)
    assert.match(text, /resource nfsdata \{/)
    assert.match(text, /device \/dev\/drbd1;/)
    assert.match(text, /disk \/dev\/nvme1n1p2;/)
    assert.match(text, /address 10\.99\.0\.1:7790;/)
    assert.match(text, /address 10\.99\.0\.2:7790;/)
    assert.match(text, /protocol A;/)
    assert.match(text, /resync-rate 40M;/)
    assert.equal(resourceFilePath(c.config), '/etc/drbd.d/nfsdata.res')
    assert.equal(backingDevice(c.config), '/dev/nvme1n1p2')
  })

  it('is a pure function: the same bytes for both nodes and on every call', () => {
    assert.equal(drbdResourceConf(config, secrets, 8), drbdResourceConf(testCluster().config, {...secrets}, 8))
  })

  it('refuses a secret drbd.conf cannot carry', () => {
    assert.throws(() => drbdResourceConf(config, {...secrets, drbdSharedSecret: 'has "quotes" inside it'}, 8), /drbdSharedSecret/)
    assert.throws(() => drbdResourceConf(config, {...secrets, drbdSharedSecret: 'x'.repeat(65)}, 8), /at most 64/)
  })

  it('rates in DRBD units', () => {
    assert.equal(drbdRate('100M'), '100M')
    assert.equal(drbdRate('1.5G'), '1536M')
    assert.equal(drbdRate('512K'), '512K')
  })
})

describe('validated by the real drbdadm (recorded: drbd-utils 9.22, `drbdadm -c <file> dump`)', () => {
  const me = (name: string) => {
    const f = recorded('drbd', name)
    return {f, input: String(f.input)}
  }
  for (const major of [8, 9] as const) {
    it(`the DRBD ${major === 8 ? '8.4' : '9'} file as the template writes it today passes`, () => {
      const {f, input} = me(`dump-${major}`)
      // The recorder rendered the template for its own host and a loop partition: render the same.
      const disk = /^  disk (\S+);$/m.exec(input)![1]
      const {config, secrets} = testCluster({
        nodes: [{name: 'vm', address: '192.168.77.11'}, {name: 'node2', address: '192.168.77.12'}],
        drbd: {resource: 'hapairrec', device: '/dev/drbd9'},
        storage: {disk: disk.replace(/p1$/, ''), partition: {number: 1, size: 'rest'}},
      })
      assert.equal(drbdResourceConf(config, secrets, major).replace(secrets.drbdSharedSecret, '<secret>'), input, 'template changed since recording: re-run record.mjs')
      assert.equal(f.exitCode, 0)
      assert.match(f.output, /resync-rate\s+100M;/)
      assert.match(f.output, /c-max-rate\s+100M;/)
      assert.match(f.output, /on-io-error\s+detach;/)
      assert.ok(!f.output.includes('tEsTsEcReT'))
    })
    it(`the DRBD ${major === 8 ? '8.4' : '9'} validation fails on a host named in no \`on\` block`, () => {
      const f = recorded('drbd', `dump-${major}-wrong-host`)
      assert.notEqual(f.exitCode, 0)
      assert.match(f.output, /not defined in your config \(for this host\)/)
    })
  }
  it('global_common.conf passes', () => {
    const f = recorded('drbd', 'dump-global-common')
    assert.equal(f.exitCode, 0)
    assert.match(f.output, /usage-count no;/)
    assert.match(globalCommonConf(testCluster().config), /usage-count no;/)
    assert.match(drbdConf(), /include "drbd\.d\/\*\.res";/)
  })
})

describe('DRBD resource file with IPv6 and named nodes', () => {
  it('writes an IPv6 replication address with its family and brackets', () => {
    const c = testCluster({
      nodes: [
        {name: 'ha1', address: 'ha1.example.com', ip: '192.168.77.11', replicationAddress: 'fd00::1'},
        {name: 'ha2', address: 'ha2.example.com', ip: '192.168.77.12', replicationAddress: 'fd00::2'},
      ],
    })
    const text = drbdResourceConf(c.config, c.secrets, 8)
    assert.match(text, /^    address ipv6 \[fd00::1\]:7788;$/m)
    assert.match(text, /^    address ipv6 \[fd00::2\]:7788;$/m)
  })

  it('replicates over the resolved IPv4 of a node addressed by name, never the name', () => {
    const c = testCluster({nodes: [{name: 'ha1', address: 'ha1.example.com', ip: '192.168.77.11'}, {name: 'ha2', address: '192.168.77.12'}]})
    const text = drbdResourceConf(c.config, c.secrets, 8)
    assert.match(text, /address 192\.168\.77\.11:7788;/)
    assert.doesNotMatch(text, /example\.com/)
  })
})
