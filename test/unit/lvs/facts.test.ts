import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {findIpvsService, parseIpvsTable} from '../../../src/facts/ipvs.js'
import {parseSysctl, sysctlFact} from '../../../src/facts/sysctl.js'
import {parseProbe, probeFact} from '../../../src/facts/probe.js'

/** `ipvsadm -Ln` of a director holding the pool (ipvsadm 1.31, Debian 12), trailing blanks as printed. */
const IPVSADM_POOL = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  192.168.77.100:80 wrr persistent 300
  -> 192.168.77.21:80             Route   2      0          3         
  -> 192.168.77.22:80             Route   1      1          0         
UDP  192.168.77.100:53 rr
`
const IPVSADM_EMPTY = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
`

describe('ipvsadm -Ln parser', () => {
  it('services with their flags and real servers; the header is not a real server', () => {
    const table = parseIpvsTable(IPVSADM_POOL)
    assert.equal(table.state, 'read')
    const tcp = findIpvsService(table, 'TCP', '192.168.77.100', 80)
    assert.deepEqual(tcp, {
      protocol: 'TCP',
      address: '192.168.77.100',
      port: 80,
      scheduler: 'wrr',
      persistent: 300,
      reals: [
        {address: '192.168.77.21', port: 80, forward: 'Route', weight: 2, activeConn: 0, inactiveConn: 3},
        {address: '192.168.77.22', port: 80, forward: 'Route', weight: 1, activeConn: 1, inactiveConn: 0},
      ],
    })
    assert.deepEqual(findIpvsService(table, 'UDP', '192.168.77.100', 53), {protocol: 'UDP', address: '192.168.77.100', port: 53, scheduler: 'rr', reals: []})
    assert.equal(findIpvsService(table, 'TCP', '192.168.77.100', 443), undefined)
  })

  it('an empty table; the module not loaded; ipvsadm missing', () => {
    assert.deepEqual(parseIpvsTable(IPVSADM_EMPTY), {state: 'read', services: []})
    assert.deepEqual(parseIpvsTable('ip_vs: not loaded\n'), {state: 'no-module'})
    assert.deepEqual(parseIpvsTable('ipvsadm: not installed\n'), {state: 'no-ipvsadm'})
    assert.equal(findIpvsService({state: 'no-module'}, 'TCP', '192.168.77.100', 80), undefined)
  })
})

describe('sysctl fact', () => {
  const names = ['net.ipv4.conf.lo.arp_ignore', 'net.ipv4.conf.all.arp_announce', 'net.ipv4.conf.eth9.arp_ignore']
  it('values by name; a setting the kernel lacks is undefined', () => {
    assert.deepEqual(parseSysctl('net.ipv4.conf.lo.arp_ignore=1\nnet.ipv4.conf.all.arp_announce=0\nnet.ipv4.conf.eth9.arp_ignore?\n', names), {
      'net.ipv4.conf.lo.arp_ignore': '1',
      'net.ipv4.conf.all.arp_announce': '0',
      'net.ipv4.conf.eth9.arp_ignore': undefined,
    })
  })
  it('refuses a name that is not plain dotted words (it goes into a shell command)', () => {
    assert.throws(() => sysctlFact(['net.ipv4.conf.lo.arp_ignore; reboot']), /not a sysctl name/)
  })
})

describe('probe fact: parser', () => {
  it('an HTTP status line, a bare connection, a refusal, a timeout', () => {
    assert.deepEqual(parseProbe('HTTP/1.1 204 No Content\r\n'), {answered: true, status: 204})
    assert.deepEqual(parseProbe('connected\n'), {answered: true})
    assert.deepEqual(parseProbe('bash: line 1: connect: Connection refused\nbash: line 1: /dev/tcp/127.0.0.1/80: Connection refused\nprobe-failed 1\n'), {answered: false, why: 'connect: Connection refused'})
    assert.deepEqual(parseProbe('probe-failed 124\n'), {answered: false, why: 'no answer in time'})
    assert.deepEqual(parseProbe(''), {answered: false, why: 'the connection closed without an answer'})
  })
})

/** Runs a fact's command in a local bash, as a node would (asynchronously: the test's own server must answer). */
function runLocally(command: string): Promise<string> {
  return new Promise((resolve) => execFile('bash', ['-c', command], (_e, stdout) => resolve(stdout)))
}

describe('probe fact: the command against a real local HTTP server', () => {
  let server: Server
  let port = 0
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((req, res) => {
        res.statusCode = req.url === '/health' ? 200 : 404
        res.end('ok')
      }).listen(0, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port
        resolve()
      })
    })

  it('HTTP_GET: the status of the path asked; TCP_CHECK: connected; a closed port: not answered', async () => {
    await listen()
    try {
      const ok = probeFact({address: '127.0.0.1', port, path: '/health', timeoutS: 5})
      assert.deepEqual(ok.parse(await runLocally(ok.command), 0), {answered: true, status: 200})
      const other = probeFact({address: '127.0.0.1', port, path: '/missing', timeoutS: 5})
      assert.deepEqual(other.parse(await runLocally(other.command), 0), {answered: true, status: 404})
      const tcp = probeFact({address: '127.0.0.1', port, timeoutS: 5})
      assert.deepEqual(tcp.parse(await runLocally(tcp.command), 0), {answered: true})
    } finally {
      await new Promise((r) => server.close(r))
    }
    const closed = probeFact({address: '127.0.0.1', port, path: '/health', timeoutS: 5})
    const r = closed.parse(await runLocally(closed.command), 0)
    assert.equal(r.answered, false)
  })
})
