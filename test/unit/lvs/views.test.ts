/** status and preflight over an LVS pool: real servers read, judged and named when unreachable. */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {lvsContext} from '../../helpers/lvs-cluster.js'
import {readRealServers, type RealServerFacts} from '../../../src/cluster-state/real-server.js'
import {evaluateRealServers} from '../../../src/preflight/real-servers.js'
import {realServerStatus, renderRealServers, withRealServers} from '../../../src/status/real-servers.js'
import {conditionLine, type StatusReport} from '../../../src/status/report.js'
import {FakeHost} from '../../../src/transport/fake-host.js'
import {DEBIAN} from '../steps/ha-facts.js'

const {config} = lvsContext()
const LIVE_OK = {'net.ipv4.conf.all.arp_ignore': '1', 'net.ipv4.conf.all.arp_announce': '2', 'net.ipv4.conf.lo.arp_ignore': '1', 'net.ipv4.conf.lo.arp_announce': '2'}
const healthy: RealServerFacts = {
  os: DEBIAN,
  lo: {exists: true, up: true, addresses: [{address: '127.0.0.1', prefix: 8, secondary: false}, {address: '192.168.77.100', prefix: 32, secondary: false}]},
  arp: LIVE_OK,
  service: {answered: true, status: 200},
}

describe('reading real servers', () => {
  it('connected ones are read (one call each), the unreachable one carries its reason and hint', async () => {
    const web1 = new FakeHost('web1').expect('@@hapair-fact service', {stdout: ''})
    const reads = await readRealServers(config, new Map([['web1', web1]]), new Map([['web2', {message: 'connection refused by 192.168.77.22:22', hint: 'Is sshd running?'}]]), 5000)
    web1.done()
    assert.deepEqual(reads.web2, {error: 'connection refused by 192.168.77.22:22', hint: 'Is sshd running?'})
    // web1 printed nothing at all: a parse error, reported as that host's read error, not a crash.
    assert.match((reads.web1 as {error: string}).error, /printed nothing/)
  })
})

describe('status: the pool', () => {
  it('healthy pool: no problems, a table with both', () => {
    const {servers, problems} = realServerStatus(config, {web1: healthy, web2: healthy})
    assert.deepEqual(problems, [])
    assert.deepEqual(servers.map((s) => [s.name, s.reachable, s.vipOnLo, s.arpOk, s.answers]), [['web1', true, true, true, true], ['web2', true, true, true, true]])
    assert.match(renderRealServers(servers).join('\n'), /web2 +192\.168\.77\.22 +yes +ok +yes/)
  })

  it('web2 unreachable and web1 not answering: both named, web1 still reported in full', () => {
    const {servers, problems} = realServerStatus(config, {web1: {...healthy, service: {answered: false, why: 'connect: Connection refused'}}, web2: {error: 'connection timed out'}})
    assert.deepEqual(problems, ['real server web1: http://127.0.0.1:80/health does not answer (connect: Connection refused)', 'real server web2: unreachable (connection timed out)'])
    assert.deepEqual(servers[0], {name: 'web1', address: '192.168.77.21', reachable: true, vipOnLo: true, arpOk: true, answers: false})
    assert.match(renderRealServers(servers).join('\n'), /web2 +192\.168\.77\.22 +UNREACHABLE/)
  })

  it('VIP missing from lo and ARP at defaults are problems of their own', () => {
    const {problems} = realServerStatus(config, {web1: {...healthy, lo: {...healthy.lo, addresses: healthy.lo.addresses.slice(0, 1)}}, web2: {...healthy, arp: {...LIVE_OK, 'net.ipv4.conf.lo.arp_ignore': '0'}}})
    assert.deepEqual(problems.map((p) => p.replace(/ \(.*$/, '')), ['real server web1: 192.168.77.100/32 is not on lo', 'real server web2: ARP not left to the director'])
  })

  it('a healthy cluster with a sick pool is degraded (the service is up), with its own condition line; an unhealthy one stays so', () => {
    const base = {cluster: 'lab', stack: 'keepalived', nodes: [{node: 'node1', reachable: true}], problems: [], healthy: true, condition: 'healthy'} as unknown as StatusReport
    const pool = realServerStatus(config, {web1: healthy, web2: {error: 'timed out'}})
    const r = withRealServers(base, pool)
    assert.equal(r.condition, 'degraded')
    assert.equal(r.healthy, false)
    assert.equal(r.realServers?.length, 2)
    assert.equal(conditionLine(r), 'lab is degraded: the service is up, the LVS pool is not whole (1 problem)')
    assert.equal(withRealServers({...base, condition: 'unhealthy', healthy: false}, pool).condition, 'unhealthy')
    assert.equal(withRealServers(base, realServerStatus(config, {web1: healthy, web2: healthy})).condition, 'healthy')
  })
})

describe('preflight: the pool', () => {
  it('unreachable: one failed ssh finding with the hint; reachable: ssh, distro, service, what the steps will do', () => {
    const fresh = {...healthy, lo: {...healthy.lo, addresses: healthy.lo.addresses.slice(0, 1)}, arp: {...LIVE_OK, 'net.ipv4.conf.all.arp_ignore': '0'}}
    const f = evaluateRealServers(config, {web1: fresh, web2: {error: 'connection refused', hint: 'Is sshd running?'}})
    assert.deepEqual(f.map((x) => [x.node, x.check, x.level]), [
      ['web1', 'ssh', 'ok'],
      ['web1', 'distro', 'ok'],
      ['web1', 'service', 'ok'],
      ['web1', 'lvs-dr', 'ok'],
      ['web2', 'ssh', 'fail'],
    ])
    assert.equal(f[4].fix, 'Is sshd running?')
    assert.equal(f[3].message, 'the lvs.arp and lvs.loopback steps will set arp_ignore/arp_announce and put 192.168.77.100/32 on lo')
  })

  it('a service that does not answer fails, saying hapair does not install it; a non-systemd host fails', () => {
    const f = evaluateRealServers(config, {web1: {...healthy, service: {answered: true, status: 404}}, web2: {...healthy, os: {...DEBIAN, init: 'init'}}})
    const service = f.find((x) => x.node === 'web1' && x.check === 'service')!
    assert.equal(service.level, 'fail')
    assert.match(service.message, /answers 404, not 200/)
    assert.match(service.fix ?? '', /does not install it/)
    assert.equal(f.find((x) => x.node === 'web2' && x.check === 'distro')!.level, 'fail')
  })
})
