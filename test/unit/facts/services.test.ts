import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {isActive, parseServiceStates, servicesFact, startsAtBoot} from '../../../src/facts/services.js'
import {recorded} from '../../helpers/recorded.js'

const UNITS = ['keepalived', 'nfs-server', 'nfs-kernel-server', 'nfsdcld', 'hapair-no-such']

describe('servicesFact', () => {
  it('one call for several units, each name quoted', () => {
    const f = servicesFact(['a b', 'c'])
    assert.match(f.command, /for u in 'a b' 'c'; do/)
  })

  it('recorded is-enabled (unit files; no systemd PID 1 on the recording host, so is-active is unknown)', () => {
    const r = recorded('keepalived', 'services')
    assert.equal(r.command, servicesFact(UNITS).command)
    const s = servicesFact(UNITS).parse(r.output, r.exitCode ?? 0)
    assert.deepEqual(s['keepalived'], {active: 'unknown', enabled: 'enabled'})
    assert.equal(s['nfs-kernel-server'].enabled, 'alias')
    assert.equal(s['nfsdcld'].enabled, 'static')
    assert.equal(s['hapair-no-such'].enabled, 'not-found')
    assert.equal(startsAtBoot(s['nfs-server']), true)
    assert.equal(startsAtBoot(s['nfsdcld']), false)
    assert.equal(isActive(s['keepalived']), false)
  })

  it('systemctl words on a running system (systemctl(1) print format)', () => {
    const s = parseServiceStates('keepalived\tactive\tenabled\nnfs-server\tinactive\tdisabled\nx\tfailed\tmasked\n', ['keepalived', 'nfs-server', 'x', 'missing'])
    assert.equal(isActive(s['keepalived']), true)
    assert.equal(isActive(s['nfs-server']), false)
    assert.equal(startsAtBoot(s['nfs-server']), false)
    assert.deepEqual(s['x'], {active: 'failed', enabled: 'masked'})
    assert.deepEqual(s['missing'], {active: 'unknown', enabled: 'not-found'}, 'a unit the script printed nothing for')
  })
})
