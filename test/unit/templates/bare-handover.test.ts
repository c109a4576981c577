/**
 * The bare release and acquire `failover-test --floor` times, rendered from the test cluster and
 * run by bash against the stub tools (ha-script-harness.ts): the notify script's own steps in the
 * issue's order, the time they print, and the refusals that keep data safe.
 */
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {testCluster} from '../../helpers/cluster.js'
import {BARE_REFUSED, FLOOR_MS_MARK, parseBareMs, renderBareAcquire, renderBareRelease} from '../../../src/templates/scripts/bare-handover.js'
import {stackOf} from '../../../src/stacks/registry.js'
import {requirePrereq, skipUnlessCI} from '../../helpers/prereq.js'
import {makeHarness, mutating, releaseCalls, serveCalls, someBlockDevice, type Harness} from './ha-script-harness.js'

const {config} = testCluster()
const device = someBlockDevice()
const missing = device ? false : 'no block device on this machine for the [ -b $DEV ] wait'
const skip = skipUnlessCI(missing)

describe('bare handover scripts: rendered', () => {
  it('are valid bash for every family', () => {
    for (const family of ['apt', 'dnf'] as const) {
      for (const text of [renderBareRelease(config, family), renderBareAcquire(config, family)]) {
        const dir = mkdtempSync(join(tmpdir(), 'hapair-bare-'))
        writeFileSync(join(dir, 's.sh'), text)
        const r = spawnSync('bash', ['-n', join(dir, 's.sh')], {encoding: 'utf8'})
        rmSync(dir, {recursive: true, force: true})
        assert.equal(r.status, 0, r.stderr)
      }
    }
  })

  it('are the stack descriptor’s floor commands', () => {
    const stack = stackOf(config)
    assert.equal(stack.bareHandover?.release(config, 'apt'), renderBareRelease(config, 'apt'))
    assert.equal(stack.bareHandover?.acquire(config, 'apt'), renderBareAcquire(config, 'apt'))
  })

  it('undo the transport’s set -e first: the shared functions test return codes themselves', () => {
    assert.match(renderBareRelease(config, 'apt'), /^set \+e -u -o pipefail\n/)
  })

  it('parseBareMs reads the time line, and nothing else', () => {
    assert.equal(parseBareMs(`noise\n${FLOOR_MS_MARK}1234\n`), 1234)
    assert.equal(parseBareMs('hapair-floor-ms=\n'), undefined)
    assert.equal(parseBareMs('hapair-floor-ms=-5\n'), undefined)
    assert.equal(parseBareMs(''), undefined)
  })
})

describe('bare handover scripts: run', {skip}, () => {
  before(() => requirePrereq(missing))
  let h: Harness
  let release: string
  let acquire: string
  before(() => {
    h = makeHarness(device!)
    release = h.install('release.sh', renderBareRelease(config, 'apt'))
    acquire = h.install('acquire.sh', renderBareAcquire(config, 'apt'))
  })
  after(() => h.cleanup())

  it('acquire: Primary, mount, NFS state, NFS server, then the VIP; prints its time', () => {
    h.set({vip: false})
    h.clearCalls()
    const r = h.run(acquire, [])
    assert.equal(r.code, 0, readFileSync(h.log, 'utf8'))
    assert.deepEqual(mutating(h.calls()), ['drbdadm primary r0', ...serveCalls(h), 'ip addr add 192.0.2.100/24 dev eth0'])
    assert.notEqual(parseBareMs(r.stdout), undefined, r.stdout)
    assert.match(readFileSync(h.log, 'utf8'), / floor-acquire: took \d+ ms \(exit 0\): drbdadm primary r0$/m)
    spawnSync('kill', [h.read('sm-notify.pid')])
  })

  it('release: the VIP off, NFS stopped, both unmounted, and only then DRBD Secondary; prints its time', () => {
    h.clearCalls()
    const r = h.run(release, [])
    assert.equal(r.code, 0, readFileSync(h.log, 'utf8'))
    assert.deepEqual(mutating(h.calls()), ['ip addr del 192.0.2.100/24 dev eth0', ...releaseCalls(h)])
    assert.equal(h.read('role-local'), 'Secondary')
    assert.deepEqual(h.mounts(), [])
    assert.notEqual(parseBareMs(r.stdout), undefined)
  })

  it('release of a node that serves nothing changes nothing', () => {
    h.clearCalls()
    const r = h.run(release, [])
    assert.equal(r.code, 0)
    assert.deepEqual(mutating(h.calls()), [])
  })

  for (const [why, state] of [
    ['the peer is still Primary', {rolePeer: 'Primary'}],
    ['the peer is not connected (Unknown)', {rolePeer: 'Unknown'}],
    ['the local disk is Outdated', {disk: 'Outdated'}],
    ['the local disk is only Consistent', {disk: 'Consistent'}],
  ] as const) {
    it(`acquire refuses at once, changing nothing, when ${why}`, () => {
      h.set({vip: false, ...state})
      h.clearCalls()
      const r = h.run(acquire, [])
      assert.equal(r.code, BARE_REFUSED)
      assert.deepEqual(mutating(h.calls()), [])
      assert.equal(parseBareMs(r.stdout), undefined, 'a refusal is no measurement')
      assert.match(r.stderr, /^refused: peer role \S+, local disk \S+$/m)
    })
  }
})
