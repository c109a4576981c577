import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {lvsContext} from '../../helpers/lvs-cluster.js'
import {TEST_SECRETS} from '../../helpers/cluster.js'
import {renderKeepalivedConf} from '../../../src/templates/keepalived.js'
import {lvsKeepalivedParts, renderVirtualServer} from '../../../src/templates/keepalived-lvs.js'
import {loopbackUnitVip, renderArpSysctl, renderLoopbackUnit, renderModulesLoad} from '../../../src/templates/lvs-hosts.js'
import {renderLvsNotifyScript} from '../../../src/templates/scripts/notify-lvs.js'
import {stackOf} from '../../../src/stacks/registry.js'

const ctx = lvsContext()
const [node1] = ctx.nodes

/** The seed's check, the same in every real_server block. */
const HTTP_CHECK = `        HTTP_GET {
            url {
                path /health
                status_code 200
            }
            connect_timeout 3
            retry 3
            delay_before_retry 3
        }
`

describe('virtual_server (pure template)', () => {
  it('the seed defaults: DR, rr, HTTP_GET on the health path for every real server, in file order', () => {
    assert.equal(
      renderVirtualServer(ctx.config).join('\n'),
      `virtual_server 192.168.77.100 80 {
    delay_loop 6
    lb_algo rr
    lb_kind DR
    protocol TCP

    # web1
    real_server 192.168.77.21 80 {
        weight 2
${HTTP_CHECK}    }

    # web2
    real_server 192.168.77.22 80 {
        weight 1
${HTTP_CHECK}    }
}
`,
    )
  })

  it('TCP_CHECK has no url; persistence and wlc appear as set', () => {
    const c = lvsContext({scheduler: 'wlc', persistenceTimeout: 300, healthCheck: {type: 'TCP_CHECK', connectTimeout: 2, retries: 4, delayBeforeRetry: 1, delayLoop: 3}})
    const text = renderVirtualServer(c.config).join('\n')
    assert.match(text, /^ {4}delay_loop 3\n {4}lb_algo wlc\n {4}lb_kind DR\n {4}persistence_timeout 300\n {4}protocol TCP$/m)
    assert.equal((text.match(/ {8}TCP_CHECK \{\n {12}connect_timeout 2\n {12}retry 4\n {12}delay_before_retry 1\n {8}\}/g) ?? []).length, 2)
    assert.doesNotMatch(text, /HTTP_GET|url|status_code/)
  })
})

describe('keepalived.conf of an LVS director: the VRRP core plus the pool', () => {
  const conf = renderKeepalivedConf(ctx.config, TEST_SECRETS, node1, stackOf(ctx.config).keepalived!.parts(ctx.config))

  it('the descriptor gives the LVS parts', () => {
    assert.deepEqual(stackOf(ctx.config).keepalived!.parts(ctx.config), lvsKeepalivedParts(ctx.config))
  })

  it('VRRP core as for NFS: BACKUP, priority, auth, unicast peer, the VIP', () => {
    for (const line of ['    state BACKUP', '    priority 100', '        auth_pass k8pass01', '    unicast_src_ip 192.168.77.11', '        192.168.77.12', '        192.168.77.100/24 dev eth0']) {
      assert.ok(conf.includes(`${line}\n`), line)
    }
  })

  it('chk_down before the instance, tracked in it, with the seed weight, fall and rise; notify on every transition', () => {
    assert.match(conf, /vrrp_script chk_down \{\n {4}script "\/usr\/bin\/test ! -e \/etc\/keepalived\/down"\n {4}interval 1\n {4}weight -15\n {4}fall 2\n {4}rise 1\n\}\n\nvrrp_instance/)
    assert.match(conf, / {4}track_script \{\n {8}chk_down\n {4}\}\n/)
    for (const t of ['master', 'backup', 'fault']) assert.ok(conf.includes(`    notify_${t} "/etc/keepalived/hapair/notify-lvs.sh ${t}"\n`), t)
    assert.ok(conf.indexOf('virtual_server 192.168.77.100 80 {') > conf.indexOf('vrrp_instance'))
  })

  it('chk_down left out when disabled; the sync daemon goes into global_defs, on the VIP interface by default', () => {
    const c = lvsContext({chkDown: {enabled: false}, syncDaemon: {id: 5}})
    const text = renderKeepalivedConf(c.config, TEST_SECRETS, node1, lvsKeepalivedParts(c.config))
    assert.doesNotMatch(text, /chk_down/)
    assert.match(text, /global_defs \{[^}]*\n {4}lvs_sync_daemon eth0 hapair_lab id 5\n\}/)
    const eth1 = renderKeepalivedConf(lvsContext({syncDaemon: {interface: 'eth1'}}).config, TEST_SECRETS, node1, lvsKeepalivedParts(lvsContext({syncDaemon: {interface: 'eth1'}}).config))
    assert.match(eth1, /lvs_sync_daemon eth1 hapair_lab id 0/)
    assert.doesNotMatch(conf, /lvs_sync_daemon/)
  })
})

describe('multicast VRRP to the seed\'s own group (vrrp_mcast_group4)', () => {
  it('in global_defs with unicast off; not written under unicast or without a group', () => {
    const mc = lvsContext()
    const render = (keepalived: object) => {
      const config = {...mc.config, keepalived: {...mc.config.keepalived!, ...keepalived}}
      return renderKeepalivedConf(config, TEST_SECRETS, node1, lvsKeepalivedParts(config))
    }
    const text = render({unicast: false, mcastGroup: '224.0.0.33'})
    assert.match(text, /global_defs \{[^}]*\n {4}vrrp_mcast_group4 224\.0\.0\.33\n/)
    assert.doesNotMatch(text, /unicast_peer/)
    assert.doesNotMatch(render({unicast: true, mcastGroup: '224.0.0.33'}), /vrrp_mcast_group4/)
    assert.doesNotMatch(render({unicast: false}), /vrrp_mcast_group4/)
  })
})

describe('real server and director files', () => {
  it('ARP settings for lo and all, one per line', () => {
    assert.deepEqual(renderArpSysctl().split('\n').filter((l) => !l.startsWith('#') && l), [
      'net.ipv4.conf.all.arp_ignore = 1',
      'net.ipv4.conf.all.arp_announce = 2',
      'net.ipv4.conf.lo.arp_ignore = 1',
      'net.ipv4.conf.lo.arp_announce = 2',
    ])
  })

  it('the loopback unit puts the VIP on lo as /32 and takes it away on stop, after the sysctls', () => {
    const unit = renderLoopbackUnit(ctx.config)
    assert.match(unit, /^ExecStart=ip addr replace 192\.168\.77\.100\/32 dev lo$/m)
    assert.match(unit, /^ExecStop=-ip addr del 192\.168\.77\.100\/32 dev lo$/m)
    assert.equal(loopbackUnitVip(unit), '192.168.77.100')
    assert.equal(loopbackUnitVip(null), undefined)
    assert.match(unit, /^After=systemd-sysctl\.service$/m)
    assert.match(unit, /^RemainAfterExit=yes$/m)
    assert.match(unit, /^WantedBy=multi-user\.target$/m)
  })

  it('modules-load.d lists ip_vs', () => {
    assert.deepEqual(renderModulesLoad().split('\n').filter((l) => l && !l.startsWith('#')), ['ip_vs'])
  })

  it('the notify script is valid bash, logs in the HA log format, mails only when an address is set', () => {
    const plain = renderLvsNotifyScript(ctx.config)
    const mailed = renderLvsNotifyScript(lvsContext({notifyEmail: 'ops@example.com'}).config)
    for (const s of [plain, mailed]) assert.equal(spawnSync('bash', ['-n'], {input: s}).status, 0)
    assert.doesNotMatch(plain, /\bmail -s/)
    assert.match(mailed, /\| mail -s "hapair lab: \$HOSTNAME to \$ACTION" 'ops@example\.com'/)
    assert.match(plain, /^LOG='\/var\/log\/hapair-ha\.log'$/m)
  })

  it('the notify script writes one line parseHaLog reads, and exits 0', async () => {
    const {mkdtempSync, readFileSync} = await import('node:fs')
    const {join} = await import('node:path')
    const {tmpdir} = await import('node:os')
    const {parseHaLog} = await import('../../../src/facts/keepalived.js')
    const dir = mkdtempSync(join(tmpdir(), 'hapair-notify-'))
    const log = join(dir, 'ha.log')
    const script = renderLvsNotifyScript(ctx.config).replace(/^LOG=.*$/m, `LOG='${log}'`).replace(/^logger .*$/m, ':')
    const r = spawnSync('bash', ['-s', 'master'], {input: script, env: {...process.env, HOSTNAME: 'node1'}})
    assert.equal(r.status, 0, String(r.stderr))
    const events = parseHaLog(readFileSync(log, 'utf8'))
    assert.equal(events.length, 1)
    assert.equal(events[0].action, 'master')
    assert.match(events[0].message, /holds 192\.168\.77\.100 and directs the pool$/)
  })
})
