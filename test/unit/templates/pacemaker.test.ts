/** corosync.conf, the CIB and DRBD's fencing handlers as pure functions of the cluster file. */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {testCluster, TEST_SECRETS} from '../../helpers/cluster.js'
import {cibBuildScript, cibWant, fenceDevices, fencePasswordPath, renderCibConfiguration} from '../../../src/templates/cib.js'
import {COROSYNC_AUTHKEY_MODE, renderCorosyncAuthkey, renderCorosyncConf} from '../../../src/templates/corosync.js'
import {drbdResourceConf} from '../../../src/templates/drbd.js'
import type {FencingConfig} from '../../../src/config/schema.js'

const FENCED = {
  fencing: {
    devices: [
      {node: 'node1', ip: '192.168.77.201', username: 'admin'},
      {node: 'node2', ip: '192.168.77.202', username: 'admin', ipport: 6230, lanplus: false, cipher: 3},
    ],
  },
}
const pm = (pacemaker: Record<string, unknown>, more: Record<string, unknown> = {}) => testCluster({stack: 'pacemaker', keepalived: undefined, pacemaker, ...more}).config

describe('corosync.conf', () => {
  it('knet with crypto, names and ids, the replication address as link 1, two_node', () => {
    const c = pm({fencing: 'none', token: 5000}, {nodes: [{name: 'node1', address: '192.168.77.11', replicationAddress: '10.0.0.1'}, {name: 'node2', address: '192.168.77.12', replicationAddress: '10.0.0.2'}]})
    const text = renderCorosyncConf(c, c.pacemaker!)
    for (const line of ['cluster_name: hapair', 'transport: knet', 'token: 5000', 'crypto_cipher: aes256', 'crypto_hash: sha256', 'ip_version: ipv4', 'linknumber: 1', 'two_node: 1', 'provider: corosync_votequorum']) assert.ok(text.includes(line), line)
    assert.match(text, /name: node1\n\s+nodeid: 1\n\s+ring0_addr: 192\.168\.77\.11\n\s+ring1_addr: 10\.0\.0\.1/)
    assert.match(text, /name: node2\n\s+nodeid: 2\n\s+ring0_addr: 192\.168\.77\.12\n\s+ring1_addr: 10\.0\.0\.2/)
    assert.ok(!text.includes('device {'))
  })

  it('a quorum device replaces two_node; udpu has one link and no crypto', () => {
    const q = pm({fencing: 'none', quorumDevice: {host: '192.168.77.50', algorithm: 'lms'}})
    const qt = renderCorosyncConf(q, q.pacemaker!)
    assert.ok(!qt.includes('two_node: 1'))
    assert.match(qt, /device \{\n\s+votes: 1\n\s+model: net\n\s+net \{\n\s+host: 192\.168\.77\.50\n\s+port: 5403\n\s+algorithm: lms\n\s+tls: on/)
    const u = pm({fencing: 'none', transport: 'udpu'}, {nodes: [{name: 'node1', address: '192.168.77.11', replicationAddress: '10.0.0.1'}, {name: 'node2', address: '192.168.77.12', replicationAddress: '10.0.0.2'}]})
    const ut = renderCorosyncConf(u, u.pacemaker!)
    assert.ok(ut.includes('crypto_cipher: none') && !ut.includes('ring1_addr') && !ut.includes('linknumber: 1'))
  })

  it('the authkey is the secret itself, 0400: 344 bytes of base64 text carrying 256 random bytes', () => {
    assert.equal(renderCorosyncAuthkey(TEST_SECRETS), TEST_SECRETS.corosyncAuthkey)
    assert.equal(Buffer.byteLength(renderCorosyncAuthkey(TEST_SECRETS)), 344)
    assert.equal(COROSYNC_AUTHKEY_MODE, 0o400)
  })
})

describe('the CIB', () => {
  it('nfs-pacemaker: promotable drbd clone, group fs > nfsserver > exportfs > VIP, colocated with Promoted, promote then start', () => {
    const c = pm(FENCED)
    const want = cibWant(c, c.pacemaker!, true)
    assert.deepEqual(want.ids.resources, ['ms_drbd', 'g_nfs', 'st_node1', 'st_node2'])
    const [clone, group] = want.resources
    for (const meta of ['promotable" value="true', 'promoted-max" value="1', 'clone-max" value="2', 'notify" value="true']) assert.ok(clone.includes(meta), meta)
    assert.match(clone, /class="ocf" provider="linbit" type="drbd"/)
    assert.match(clone, /name="monitor" interval="29s" timeout="20s" role="Promoted"/)
    assert.match(clone, /name="monitor" interval="31s" timeout="20s" role="Unpromoted"/)
    assert.deepEqual([...group.matchAll(/<primitive id="([^"]+)"/g)].map((m) => m[1]), ['p_fs', 'p_nfsserver', 'p_exportfs_0', 'p_vip'])
    assert.match(group, /name="nfs_shared_infodir" value="\/data\/.hapair-nfs"/)
    assert.match(group, /name="clientspec" value="192.168.77.0\/24"/)
    assert.match(group, /name="fsid" value="1"/)
    assert.match(group, /name="ip" value="192.168.77.100".*name="cidr_netmask" value="24".*name="nic" value="eth0"/)
    const cons = want.constraints.join('\n')
    assert.match(cons, /rsc_colocation id="hapair-g_nfs-with-drbd-promoted" rsc="g_nfs" with-rsc="ms_drbd" with-rsc-role="Promoted" score="INFINITY"/)
    assert.match(cons, /rsc_order id="hapair-drbd-promote-then-g_nfs" first="ms_drbd" first-action="promote" then="g_nfs" then-action="start" kind="Mandatory"/)
    assert.match(cons, /rsc_location id="hapair-g_nfs-prefers-node1" rsc="g_nfs" node="node1" score="50"/)
    assert.deepEqual(want.properties, [['stonith-enabled', 'true'], ['no-quorum-policy', 'stop']])
    assert.deepEqual(want.rscDefaults, [['resource-stickiness', '100']])
  })

  it('drbd-pacemaker: the group holds the filesystem alone; fencing none turns stonith off', () => {
    const c = pm({fencing: 'none'}, {service: 'filesystem', nfs: undefined})
    const want = cibWant(c, c.pacemaker!, false)
    assert.deepEqual(want.ids.resources, ['ms_drbd', 'g_fs'])
    assert.deepEqual([...want.resources[1].matchAll(/<primitive id="([^"]+)"/g)].map((m) => m[1]), ['p_fs'])
    assert.deepEqual(want.properties[0], ['stonith-enabled', 'false'])
  })

  it('fence devices: one per node, never run on the node they fence, the static delay on the preferred node only, no password in the CIB', () => {
    const c = pm(FENCED)
    const devices = fenceDevices(c, c.pacemaker!.fencing as Exclude<FencingConfig, 'none'>)
    assert.deepEqual(devices.map((d) => [d.id, d.node]), [['st_node1', 'node1'], ['st_node2', 'node2']])
    assert.match(devices[0].xml, /name="pcmk_delay_base" value="10s"/)
    assert.ok(!devices[1].xml.includes('pcmk_delay'))
    assert.match(devices[0].xml, /class="stonith" type="fence_ipmilan"/)
    assert.match(devices[0].xml, /name="pcmk_host_list" value="node1".*name="ip" value="192.168.77.201".*name="ipport" value="623".*name="username" value="admin"/)
    assert.ok(devices[0].xml.includes(`name="password_script" value="cat ${fencePasswordPath('node1')}"`))
    assert.match(devices[1].xml, /name="ipport" value="6230".*name="lanplus" value="0".*name="cipher" value="3"/)
    assert.ok(!devices[0].xml.includes('cipher'))
    assert.ok(!/name="password"/.test(devices.map((d) => d.xml).join('')))
    const random = pm({fencing: {...FENCED.fencing, delay: {randomMax: 15}}})
    const both = fenceDevices(random, random.pacemaker!.fencing as never)
    assert.ok(both.every((d) => d.xml.includes('name="pcmk_delay_max" value="15s"')))
    const cons = cibWant(c, c.pacemaker!, true).constraints.join('\n')
    assert.match(cons, /rsc="st_node1" node="node1" score="-INFINITY"/)
  })

  it('the preferred node follows priority: location preference and static delay go to node2 when it has the higher priority', () => {
    const c = pm(FENCED, {nodes: [{name: 'node1', address: '192.168.77.11', priority: 50}, {name: 'node2', address: '192.168.77.12', priority: 150}]})
    const want = cibWant(c, c.pacemaker!, true)
    assert.ok(want.constraints.some((x) => x.includes('node="node2" score="50"')))
    assert.ok(want.resources[3].includes('pcmk_delay_base'))
  })

  it('the build script deletes only what hapair no longer wants, replaces in place or creates, merges options by id', () => {
    const c = pm(FENCED)
    const script = cibBuildScript(cibWant(c, c.pacemaker!, true))
    assert.match(script, /--xpath '\/cib\/configuration\/constraints\/\*\[starts-with\(@id,'\\''hapair-'\\''\) and not\(@id=/)
    assert.match(script, /--xpath '\/cib\/configuration\/resources\/\*\[@description='\\''managed by hapair'\\'' and not\(@id='\\''ms_drbd'\\'' or @id='\\''g_nfs'\\''/)
    assert.match(script, /cibadmin --replace --scope resources --xml-text '<clone id="ms_drbd"[^\n]*2>\/dev\/null \|\| cibadmin --create --scope resources/)
    assert.match(script, /cibadmin --modify --allow-create --scope crm_config/)
    assert.match(script, /export CIB_file="\$d\/new.xml"/)
    assert.ok(renderCibConfiguration(cibWant(c, c.pacemaker!, true)).startsWith('<configuration>\n  <crm_config><cluster_property_set id="cib-bootstrap-options">'))
  })

  it('values are XML-escaped', () => {
    const c = pm({fencing: 'none'}, {nfs: {exports: [{path: '/data', clients: '*.example.com', options: ['rw', 'sync', 'fsid=7']}]}})
    const group = cibWant(c, c.pacemaker!, true).resources[1]
    assert.match(group, /name="fsid" value="7"/)
    assert.match(group, /name="options" value="rw,sync"/)
    assert.ok(cibWant({...c, vip: {...c.vip, interface: 'a"b'}}, c.pacemaker!, true).resources[1].includes('value="a&quot;b"'))
  })
})

describe('DRBD fences through the cluster (resource-only)', () => {
  const {config, secrets} = testCluster({stack: 'pacemaker', keepalived: undefined, pacemaker: {fencing: 'none'}})
  it('8.4: fencing in disk {}, crm-fence-peer.sh and crm-unfence-peer.sh as after-resync-target', () => {
    const text = drbdResourceConf(config, secrets, 8, 'resource-only')
    assert.match(text, /disk \{[^}]*fencing resource-only;[^}]*\}/)
    assert.match(text, /handlers \{[^}]*fence-peer "\/usr\/lib\/drbd\/crm-fence-peer.sh";\n\s+after-resync-target "\/usr\/lib\/drbd\/crm-unfence-peer.sh";/)
  })
  it('9: fencing in net {}, the .9.sh handlers as fence-peer / unfence-peer', () => {
    const text = drbdResourceConf(config, secrets, 9, 'resource-only')
    assert.match(text, /net \{[^}]*fencing resource-only;[^}]*\}/)
    assert.match(text, /fence-peer "\/usr\/lib\/drbd\/crm-fence-peer.9.sh";\n\s+unfence-peer "\/usr\/lib\/drbd\/crm-unfence-peer.9.sh";/)
  })
  it('without a fencing manager the file is as before', () => {
    assert.ok(!drbdResourceConf(config, secrets, 8).includes('fenc'))
  })
})
