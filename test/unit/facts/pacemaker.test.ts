/** pacemaker's facts against real output of pacemaker 2.1 (test/fixtures/recorded/pacemaker, record.mjs). */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {recorded, RECORDED_DIR} from '../../helpers/recorded.js'
import {testCluster} from '../../helpers/cluster.js'
import {cibBuildFact, crmMonFact, describeCibChange, parseCibBuild, parseCibResources, parseCrmDiff, parseCrmMon, runningOn} from '../../../src/facts/pacemaker.js'
import {parseXml} from '../../../src/facts/xml.js'
import {cibWant} from '../../../src/templates/cib.js'

const rec = (name: string) => recorded('pacemaker', name)

describe('recorded fixtures still parse as recorded', () => {
  for (const name of ['build-nfs-blank', 'build-nfs-applied', 'build-nfs-drifted', 'build-nfs-fencing-removed', 'build-fs-blank', 'build-fs-broken', 'crm-mon-both-up', 'crm-mon-node1-failed', 'crm-mon-not-running']) {
    it(name, () => {
      const r = rec(name)
      const parse = name.startsWith('crm-mon') ? crmMonFact.parse : parseCibBuild
      assert.deepEqual(parse(r.output, r.exitCode ?? 0), r.fact)
    })
  }
  it('the build fact recorded is the one the templates make today', () => {
    const c = testCluster({stack: 'pacemaker', service: 'filesystem', keepalived: undefined, nfs: undefined, pacemaker: {fencing: 'none'}}).config
    assert.equal(rec('build-fs-blank').command, cibBuildFact(cibWant(c, c.pacemaker!, false)).command)
  })
})

describe('crm_mon', () => {
  it('both nodes up: DRBD promoted on the preferred node, the group there, each fence device on the other node', () => {
    const s = parseCrmMon(rec('crm-mon-both-up').output)
    assert.equal(s.available, true)
    assert.equal(s.stonithEnabled, true)
    assert.deepEqual(s.nodes.map((n) => [n.name, n.online]), [['node1', true], ['node2', true]])
    assert.deepEqual(runningOn(s, 'ms_drbd', 'Promoted'), ['node1'])
    assert.deepEqual(runningOn(s, 'ms_drbd', 'Unpromoted'), ['node2'])
    assert.deepEqual(runningOn(s, 'g_nfs'), ['node1', 'node1', 'node1', 'node1'])
    assert.deepEqual(runningOn(s, 'st_node1'), ['node2'])
    assert.deepEqual(runningOn(s, 'st_node2'), ['node1'])
  })
  it('node1 failed: node2 promoted and serving, node1 offline', () => {
    const s = parseCrmMon(rec('crm-mon-node1-failed').output)
    assert.deepEqual(s.nodes.map((n) => [n.name, n.online]), [['node1', false], ['node2', true]])
    assert.deepEqual(runningOn(s, 'ms_drbd', 'Promoted'), ['node2'])
    assert.deepEqual([...new Set(runningOn(s, 'g_nfs'))], ['node2'])
  })
  it('not running: the reason, no nodes', () => {
    const s = parseCrmMon(rec('crm-mon-not-running').output)
    assert.equal(s.available, false)
    assert.match(s.error!, /^Not connected \(.*Connection refused/)
  })
  it('not installed, garbage, and pacemaker 1.1 role names', () => {
    assert.equal(parseCrmMon('hapair: crm_mon not installed\n').available, false)
    assert.equal(parseCrmMon('Segmentation fault\n').available, false)
    const old = `<crm_mon version="1.1.23"><summary><current_dc present="true" name="node1" with_quorum="true"/></summary><nodes><node name="node1" online="true" standby="false"/></nodes>
<resources><clone id="ms_drbd"><resource id="p_drbd" resource_agent="ocf::linbit:drbd" role="Master" active="true" failed="false"><node name="node1" id="1" cached="false"/></resource></clone></resources></crm_mon>`
    const s = parseCrmMon(old)
    assert.equal(s.dc, 'node1')
    assert.equal(s.quorum, true)
    assert.deepEqual(runningOn(s, 'ms_drbd', 'Promoted'), ['node1'])
  })
})

describe('the offline CIB build', () => {
  it('blank CIB: crm_verify accepts the build; the patch creates everything hapair owns', () => {
    const b = parseCibBuild(rec('build-nfs-blank').output)
    assert.equal(b.live && b.built && b.verify.ok, true)
    assert.deepEqual(b.changes.map(describeCibChange), [
      'create crm_config/cib-bootstrap-options',
      'create resources/ms_drbd',
      'create resources/g_nfs',
      'create resources/st_node1',
      'create resources/st_node2',
      'create constraints/hapair-g_nfs-with-drbd-promoted',
      'create constraints/hapair-drbd-promote-then-g_nfs',
      'create constraints/hapair-g_nfs-prefers-node1',
      'create constraints/hapair-st_node1-not-on-node1',
      'create constraints/hapair-st_node2-not-on-node2',
      'create rsc_defaults',
    ])
  })
  it('after the patch was pushed (cibadmin --patch), the same build differs in nothing', () => {
    const b = parseCibBuild(rec('build-nfs-applied').output)
    assert.equal(b.patch, null)
    assert.deepEqual(b.resources.map((r) => [r.id, r.hapair]), [['ms_drbd', true], ['g_nfs', true], ['st_node1', true], ['st_node2', true]])
  })
  it("drift: only the edited value comes back; someone else's resource is seen and left alone", () => {
    const b = parseCibBuild(rec('build-nfs-drifted').output)
    assert.deepEqual(b.changes.map(describeCibChange), ["modify rsc_defaults/meta_attributes[@id='rsc-options']/nvpair[@id='rsc-options-resource-stickiness'] (value)"])
    assert.deepEqual(b.resources.filter((r) => !r.hapair).map((r) => r.id), ['other'])
  })
  it("fencing switched off: hapair's stale devices and their constraints are deleted, stonith-enabled modified", () => {
    const b = parseCibBuild(rec('build-nfs-fencing-removed').output)
    const lines = b.changes.map(describeCibChange)
    assert.ok(lines.includes("delete resources/primitive[@id='st_node1']") && lines.includes("delete constraints/rsc_location[@id='hapair-st_node2-not-on-node2']"))
    assert.ok(!lines.some((l) => l.includes('other')))
  })
  it('a build cibadmin refuses (schema) is not built, with the reason and crm_verify failing', () => {
    const b = parseCibBuild(rec('build-fs-broken').output)
    assert.equal(b.built, false)
    assert.equal(b.error, 'Call failed: Update does not conform to the configured schema')
    assert.equal(b.verify.ok, false)
  })
  it('no pacemaker, and a script cut short', () => {
    assert.deepEqual(parseCibBuild('@@hapair-cib unavailable\nCould not connect to the CIB: Transport endpoint is not connected\n').live, false)
    assert.match(parseCibBuild('@@hapair-cib resources\n<resources/>\n').error!, /stopped early/)
  })
})

describe('crm_diff and cibadmin XML', () => {
  it('a version-only diff is no change', () => {
    const diff = `<diff format="2"><version><source admin_epoch="0" epoch="3" num_updates="0"/><target admin_epoch="0" epoch="5" num_updates="0"/></version>
<change operation="modify" path="/cib"><change-list><change-attr name="epoch" operation="set" value="5"/></change-list><change-result><cib epoch="5"/></change-result></change></diff>`
    assert.deepEqual(parseCrmDiff(diff), [])
    assert.deepEqual(parseCrmDiff(''), [])
    assert.throws(() => parseCrmDiff('<nodiff/>'), /no <diff>/)
  })
  it('the applied CIB file: top-level resources with hapair marks', () => {
    const xml = readFileSync(join(RECORDED_DIR, 'pacemaker', 'cib-nfs-applied.xml'), 'utf8')
    assert.deepEqual(parseCibResources(xml).map((r) => r.kind), ['clone', 'group', 'primitive', 'primitive'])
  })
  it('the XML reader: entities, comments, self-closing, and it refuses cut output', () => {
    const [root] = parseXml('<?xml version="1.0"?><!-- c --><a x="1 &amp; 2" y=\'&lt;b&gt;\'><b/><c></c></a>')
    assert.deepEqual(root.attrs, {x: '1 & 2', y: '<b>'})
    assert.deepEqual(root.children.map((c) => c.name), ['b', 'c'])
    assert.throws(() => parseXml('<a><b></a>'), /closes/)
    assert.throws(() => parseXml('<a><b>'), /not closed/)
  })
})
