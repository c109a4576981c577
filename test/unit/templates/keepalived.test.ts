import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {testCluster} from '../../helpers/cluster.js'
import {recorded} from '../../helpers/recorded.js'
import {requirePrereq, skipUnlessCI} from '../../helpers/prereq.js'
import {
  KEEPALIVED_VALIDATE,
  renderKeepalivedConf,
  vrrpInstanceName,
} from '../../../src/templates/keepalived.js'
import {nfsKeepalivedParts, renderKeepalivedDropIn} from '../../../src/templates/keepalived-nfs.js'
import {nodePriorities as keepalivedPriorities, preferredNode} from '../../../src/stacks/preferred-node.js'
import {CHECK_SCRIPT_PATH, HA_SCRIPT_DIR, NOTIFY_SCRIPT_PATH} from '../../../src/templates/scripts/paths.js'

const render = (overrides: Parameters<typeof testCluster>[0] = {}, node = 0) => {
  const {config, secrets} = testCluster(overrides)
  return renderKeepalivedConf(config, secrets, config.nodes[node], nfsKeepalivedParts())
}

/** The lines of a `name {` block, up to its closing brace (blocks nest one level at most here). */
function block(conf: string, opener: string): string[] {
  const lines = conf.split('\n')
  const start = lines.findIndex((l) => l.trim() === `${opener} {`)
  assert.ok(start >= 0, `no "${opener} {" block`)
  const end = lines.findIndex((l, i) => i > start && l.trim() === '}' && l.indexOf('}') === lines[start].indexOf(opener[0]))
  return lines.slice(start + 1, end).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
}

describe('renderKeepalivedConf', () => {
  it('authentication: one keyword per line, with the secret', () => {
    const conf = render()
    assert.deepEqual(block(conf, 'authentication'), ['auth_type PASS', 'auth_pass k8pass01'])
    assert.doesNotMatch(conf, /authentication \{[^\n]*auth_type/)
  })

  it('both nodes start BACKUP; priorities 100 / 90 by default, router_id per node', () => {
    const [n1, n2] = [render({}, 0), render({}, 1)]
    for (const c of [n1, n2]) assert.match(c, /^\s+state BACKUP$/m)
    assert.doesNotMatch(n1 + n2, /state MASTER/)
    assert.match(n1, /^\s+priority 100$/m)
    assert.match(n2, /^\s+priority 90$/m)
    assert.match(n1, /^\s+router_id node1$/m)
    assert.match(n2, /^\s+router_id node2$/m)
  })

  it("takes a node's own priority, and prefers the higher one", () => {
    const {config} = testCluster({
      nodes: [
        {name: 'node1', address: '192.168.77.11', priority: 50},
        {name: 'node2', address: '192.168.77.12', priority: 200},
      ],
    })
    assert.deepEqual(keepalivedPriorities(config), {node1: 50, node2: 200})
    assert.equal(preferredNode(config).name, 'node2')
    assert.equal(preferredNode(testCluster().config).name, 'node1')
  })

  it('nopreempt only when preempt is false', () => {
    assert.doesNotMatch(render(), /^\s+nopreempt$/m)
    assert.match(render({keepalived: {virtualRouterId: 51, preempt: false}}), /^\s+nopreempt$/m)
  })

  it('unicast: own address as source, the peer as the only unicast peer; none with multicast', () => {
    const n1 = render()
    assert.match(n1, /^\s+unicast_src_ip 192\.168\.77\.11$/m)
    assert.deepEqual(block(n1, 'unicast_peer'), ['192.168.77.12'])
    const n2 = render({}, 1)
    assert.match(n2, /^\s+unicast_src_ip 192\.168\.77\.12$/m)
    assert.deepEqual(block(n2, 'unicast_peer'), ['192.168.77.11'])
    const mc = render({keepalived: {virtualRouterId: 51, unicast: false}})
    assert.doesNotMatch(mc, /unicast/)
  })

  it('unicast peers are IPs: a node addressed by name or IPv6 gives its ip, never the name', () => {
    const nodes = [
      {name: 'node1', address: 'node1.example.com', ip: '192.168.77.11'},
      {name: 'node2', address: 'fd00::12', ip: '192.168.77.12'},
    ]
    const n1 = render({nodes})
    assert.match(n1, /^\s+unicast_src_ip 192\.168\.77\.11$/m)
    assert.deepEqual(block(n1, 'unicast_peer'), ['192.168.77.12'])
    assert.doesNotMatch(n1, /example\.com|fd00/)
  })

  it('VIP with prefix and device, router id, advert interval, instance name', () => {
    const conf = render({keepalived: {virtualRouterId: 77, advertInt: 2}})
    assert.deepEqual(block(conf, 'virtual_ipaddress'), ['192.168.77.100/24 dev eth0'])
    assert.match(conf, /^\s+interface eth0$/m)
    assert.match(conf, /^\s+virtual_router_id 77$/m)
    assert.match(conf, /^\s+advert_int 2$/m)
    assert.equal(vrrpInstanceName(testCluster({name: 'my-lab.1'}).config), 'hapair_my_lab_1')
  })

  it('script security, root scripts, the NFS check (weight 0) and all four notify hooks', () => {
    const conf = render()
    assert.deepEqual(block(conf, 'global_defs'), ['router_id node1', 'enable_script_security', 'script_user root'])
    assert.deepEqual(block(conf, 'vrrp_script chk_nfs'), [`script "${CHECK_SCRIPT_PATH}"`, 'interval 2', 'timeout 60', 'fall 2', 'rise 1', 'weight 0'])
    assert.deepEqual(block(conf, 'track_script'), ['chk_nfs'])
    for (const what of ['master', 'backup', 'fault', 'stop']) {
      assert.match(conf, new RegExp(`^\\s+notify_${what} "${NOTIFY_SCRIPT_PATH} ${what}"$`, 'm'))
    }
  })

  it('is a pure function of config, secrets and node', () => {
    assert.equal(render(), render())
    assert.notEqual(render({}, 0), render({}, 1))
  })

  it('the drop-in keeps notify_stop alive on stop, releases again after every stop, and restarts a crashed keepalived', () => {
    const text = renderKeepalivedDropIn()
    assert.deepEqual(
      text.split('\n').filter((l) => l && !l.startsWith('#')),
      ['[Service]', 'KillMode=process', 'ExecStopPost=-/etc/keepalived/hapair/notify.sh stop', 'Restart=on-failure', 'RestartSec=1'],
    )
  })

  const keepalived = spawnSync('keepalived', ['--version']).status === 0
  it('keepalived -t accepts the rendered file and rejects one-line authentication', {skip: skipUnlessCI(!keepalived && 'keepalived not installed')}, () => {
    requirePrereq(!keepalived && 'keepalived not installed')
    const dir = mkdtempSync(join(tmpdir(), 'hapair-kat-'))
    for (const s of ['notify.sh', 'check-nfs.sh']) writeFileSync(join(dir, s), '#!/bin/bash\nexit 0\n', {mode: 0o755})
    const conf = render().replaceAll(HA_SCRIPT_DIR, dir)
    const t = (text: string) => {
      const file = join(dir, 'k.conf')
      writeFileSync(file, text)
      return spawnSync('bash', ['-c', KEEPALIVED_VALIDATE.replace('{}', file)], {encoding: 'utf8'})
    }
    const ok = t(conf)
    assert.equal(ok.status, 0, ok.stderr)
    const bad = t(conf.replace(/authentication \{\n\s+auth_type PASS\n\s+auth_pass (\S+)\n\s+\}/, 'authentication { auth_type PASS auth_pass $1 }'))
    assert.equal(bad.status, 5)
    // A missing script is a config error too: why keepalived.scripts runs before keepalived.config.
    const missing = t(render())
    rmSync(dir, {recursive: true, force: true})
    assert.equal(missing.status === 0, spawnSync('test', ['-x', CHECK_SCRIPT_PATH]).status === 0)
  })
})

describe('recorded keepalived -t', () => {
  const rec = recorded('keepalived', 'validate') as any
  it('exit codes: rendered 0, one-line authentication 5, missing file 0 (why the temp file is validated)', () => {
    assert.equal(rec.rendered.exitCode, 0)
    assert.equal(rec.oneLineAuthentication.exitCode, 5)
    assert.equal(rec.missingFile.exitCode, 0)
    assert.match(rec.missingFile.output, /missing/)
  })
})
