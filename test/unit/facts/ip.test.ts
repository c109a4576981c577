import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {interfaceFact, parseInterface, vipFact} from '../../../src/facts/ip.js'
import {recorded} from '../../helpers/recorded.js'

const VIP = '192.168.77.100'
const fact = vipFact('eth0', VIP)
const parse = (name: string) => {
  const r = recorded('keepalived', name)
  return fact.parse(r.output, r.exitCode ?? 0)
}

describe('vipFact (recorded from a real keepalived pair in network namespaces)', () => {
  it('the command is the recorded one', () => {
    assert.equal(recorded('keepalived', 'ip-master').command, fact.command)
  })

  it('VRRP master: holds the VIP, which the kernel lists as secondary', () => {
    const v = parse('ip-master')
    assert.equal(v.holdsVip, true)
    assert.equal(v.up, true)
    assert.deepEqual(v.addresses, [
      {address: '192.168.77.11', prefix: 24, secondary: false},
      {address: VIP, prefix: 24, secondary: true},
    ])
  })

  it('VRRP backup: own address only', () => {
    const v = parse('ip-backup')
    assert.equal(v.holdsVip, false)
    assert.deepEqual(v.addresses.map((a) => a.address), ['192.168.77.12'])
  })

  it('after a failover the VIP moved', () => {
    assert.equal(parse('ip-after-failover-old-master').holdsVip, false)
    assert.equal(parse('ip-after-failover-new-master').holdsVip, true)
  })

  it('an unknown interface: exists false (exit 1), not a throw', () => {
    const r = recorded('keepalived', 'ip-no-such-device')
    assert.equal(r.exitCode, 1)
    assert.deepEqual(interfaceFact('x').parse(r.output, 1), {exists: false, up: false, addresses: []})
  })

  it('a link without IPv4 addresses prints [] (iproute2 6.1): exists, not up, no addresses', () => {
    assert.deepEqual(parseInterface('[]\n', 0), {exists: true, up: false, addresses: []})
  })

  it('an administratively down link is not up', () => {
    const r = recorded('keepalived', 'ip-master')
    const down = r.output.replace('"flags":["BROADCAST","MULTICAST","UP","LOWER_UP"]', '"flags":["BROADCAST","MULTICAST"]')
    assert.equal(parseInterface(down, 0).up, false)
  })
})
