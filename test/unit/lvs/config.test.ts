import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {parse, stringify} from 'yaml'
import {LVS_CLUSTER_YAML} from '../../helpers/lvs-cluster.js'
import {parseClusterText} from '../../../src/config/load.js'
import type {ConfigProblem} from '../../../src/errors.js'

/** The test pool's cluster file as data; `edit` changes it before it is written out as YAML. */
function lvsFile(edit: (f: any) => void = () => {}): string {
  const f = parse(LVS_CLUSTER_YAML)
  edit(f)
  return stringify(f)
}

function problems(edit: (f: any) => void): ConfigProblem[] {
  return parseClusterText(lvsFile(edit)).problems
}

function problemAt(list: ConfigProblem[], path: string): ConfigProblem {
  const found = list.find((p) => p.path === path)
  assert.ok(found, `no problem at ${path}; got ${JSON.stringify(list.map((p) => `${p.path}: ${p.message}`))}`)
  return found
}

describe('lvs cluster file: good values', () => {
  it('loads with the seed defaults filled in', () => {
    const {config, problems: found} = parseClusterText(lvsFile((f) => (f.lvs.realServers[1].ssh = {user: 'admin', port: 2222})))
    assert.deepEqual(found, [])
    assert.ok(config?.lvs)
    assert.deepEqual(config.lvs.healthCheck, {type: 'HTTP_GET', path: '/health', statusCode: 200, connectTimeout: 3, retries: 3, delayBeforeRetry: 3, delayLoop: 6})
    assert.deepEqual(config.lvs.chkDown, {enabled: true, weight: -15, interval: 1, fall: 2, rise: 1})
    assert.equal(config.lvs.syncDaemon, undefined)
    assert.equal(config.lvs.persistenceTimeout, undefined)
    assert.equal(config.lvs.realServers[1].ssh.port, 2222)
    assert.equal(config.lvs.realServers[1].weight, 1)
  })

  it('takes TCP_CHECK, persistence and the sync daemon', () => {
    const {config, problems: found} = parseClusterText(
      lvsFile((f) => {
        f.lvs.healthCheck = {type: 'TCP_CHECK', connectTimeout: 2}
        f.lvs.persistenceTimeout = 300
        f.lvs.syncDaemon = {interface: 'eth1', id: 7}
      }),
    )
    assert.deepEqual(found, [])
    assert.equal(config?.lvs?.healthCheck.type, 'TCP_CHECK')
    assert.equal(config?.lvs?.persistenceTimeout, 300)
    assert.deepEqual(config?.lvs?.syncDaemon, {interface: 'eth1', id: 7})
  })
})

describe('lvs cluster file: hostile and wrong values (each named by its path, with a fix)', () => {
  it('one real server is not a pool', () => {
    const p = problemAt(problems((f) => f.lvs.realServers.pop()), 'lvs.realServers')
    assert.match(p.message, /at least two real servers/)
  })

  it('a name that would break a config line or a shell', () => {
    const p = problemAt(problems((f) => (f.lvs.realServers[0].name = 'web1; rm -rf /')), 'lvs.realServers[0].name')
    assert.match(p.message, /short hostname/)
  })

  it('a check path with quotes, braces or spaces is refused with a plain example', () => {
    const found = problems((f) => (f.lvs.healthCheck = {path: '/x" }\nreal_server 6.6.6.6 80 {'}))
    const p = problemAt(found, 'lvs.healthCheck.path')
    assert.match(p.fix ?? '', /path: \/health/)
  })

  it('a maintenance file with a shell metacharacter', () => {
    const p = problemAt(problems((f) => (f.lvs.maintenanceFile = '/etc/keepalived/down$(reboot)')), 'lvs.maintenanceFile')
    assert.match(p.message, /holds "\$"/)
  })

  it('ports out of range: the virtual service and a real server', () => {
    const found = problems((f) => {
      f.lvs.port = 0
      f.lvs.realServers[1].port = 70000
    })
    assert.match(problemAt(found, 'lvs.port').message, /1-65535/)
    assert.match(problemAt(found, 'lvs.realServers[1].port').message, /1-65535/)
  })

  it('an interface name for the sync daemon that is not one', () => {
    problemAt(problems((f) => (f.lvs.syncDaemon = {interface: 'eth0 mcast_group 1.2.3.4'})), 'lvs.syncDaemon.interface')
  })

  it('an SSH user for a real server that is not a login name', () => {
    problemAt(problems((f) => (f.lvs.realServers[0].ssh = {user: '-oProxyCommand=x'})), 'lvs.realServers[0].ssh.user')
  })

  it('a real server named like a director', () => {
    const p = problemAt(problems((f) => (f.lvs.realServers[1].name = 'Node2')), 'lvs.realServers[1].name')
    assert.match(p.message, /nodes\[1\] \(a director\)/)
  })

  it('a real server outside the VIP network (DR forwards by MAC)', () => {
    const p = problemAt(problems((f) => (f.lvs.realServers[0].address = '10.0.0.5')), 'lvs.realServers[0].address')
    assert.match(p.message, /outside the VIP's network 192\.168\.77\.0\/24/)
    assert.match(p.fix ?? '', /192\.168\.77\.0\/24/)
  })

  it('NAT, UDP and an all-zero pool are not built or serve nothing', () => {
    const found = problems((f) => {
      f.lvs.kind = 'NAT'
      f.lvs.protocol = 'UDP'
      for (const s of f.lvs.realServers) s.weight = 0
    })
    assert.match(problemAt(found, 'lvs.kind').fix ?? '', /kind: DR/)
    assert.match(problemAt(found, 'lvs.protocol').fix ?? '', /protocol: TCP/)
    assert.match(problemAt(found, 'lvs.realServers').message, /weight 0/)
  })

  it('a down-file weight too small to move the VIP, with the weight that would', () => {
    const p = problemAt(problems((f) => (f.lvs.chkDown = {weight: -5})), 'lvs.chkDown.weight')
    assert.match(p.message, /from 100 to 95, not below its peer's 90/)
    assert.match(p.fix ?? '', /weight: -11/)
  })

  it('the down-file under nopreempt; disabling it is accepted', () => {
    problemAt(problems((f) => (f.keepalived.preempt = false)), 'lvs.chkDown')
    assert.deepEqual(
      problems((f) => {
        f.keepalived.preempt = false
        f.lvs.chkDown = {enabled: false}
      }),
      [],
    )
  })

  it('DR cannot change the port: a real server on another port than the virtual service', () => {
    const p = problemAt(problems((f) => (f.lvs.realServers[1].port = 8080)), 'lvs.realServers[1].port')
    assert.match(p.message, /direct routing cannot change the port/)
    assert.match(p.fix ?? '', /port: 80/)
  })

  it('a notify address that would break the mail command line', () => {
    problemAt(problems((f) => (f.lvs.notifyEmail = "ops@example.com' ; reboot ; '")), 'lvs.notifyEmail')
    assert.deepEqual(problems((f) => (f.lvs.notifyEmail = 'ops@example.com')), [])
  })

  it('a DRBD disk or an NFS export has no place in an LVS pool', () => {
    const found = problems((f) => {
      f.storage = {disk: '/dev/vdb', partition: {number: 1, size: 'rest'}}
      f.nfs = {exports: [{path: '/data', clients: '*'}]}
    })
    assert.match(problemAt(found, 'storage').message, /not used by the keepalived \+ LVS-DR directors stack/)
    problemAt(found, 'nfs')
  })

  it('a VRRP multicast group: only with unicast off, only inside 224.0.0.0/4; the firewall need names it', async () => {
    problemAt(problems((f) => (f.keepalived.mcastGroup = '224.0.0.33')), 'keepalived.mcastGroup')
    assert.match(problemAt(problems((f) => (f.keepalived = {...f.keepalived, unicast: false, mcastGroup: '10.0.0.33'})), 'keepalived.mcastGroup').message, /not a multicast address/)
    const {config} = parseClusterText(lvsFile((f) => (f.keepalived = {...f.keepalived, unicast: false, mcastGroup: '224.0.0.33'})))
    assert.ok(config)
    const {firewallNeeds} = await import('../../../src/preflight/ports.js')
    const vrrp = firewallNeeds(config, config.nodes[0]).find((n) => n.kind === 'protocol')
    assert.deepEqual(vrrp && vrrp.kind === 'protocol' && [vrrp.multicast, vrrp.group, vrrp.note], [true, '224.0.0.33', 'adverts go to the multicast group 224.0.0.33'])
  })

  it('check timings out of range and a positive chk_down weight', () => {
    const found = problems((f) => {
      f.lvs.healthCheck = {retries: 0, delayBeforeRetry: 0, type: 'SMTP_CHECK'}
      f.lvs.chkDown = {weight: 10}
    })
    for (const path of ['lvs.healthCheck.retries', 'lvs.healthCheck.delayBeforeRetry', 'lvs.healthCheck.type', 'lvs.chkDown.weight']) problemAt(found, path)
  })
})
