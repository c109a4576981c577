import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {testCluster} from '../../helpers/cluster.js'
import {keepalivedStack} from '../../../src/stacks/keepalived.js'
import {recorded} from '../../helpers/recorded.js'

describe('keepalivedStack', () => {
  it('names its unit and runbooks', () => {
    assert.equal(keepalivedStack.id, 'keepalived')
    assert.equal(keepalivedStack.haUnit, 'keepalived')
    assert.equal(keepalivedStack.runbook, 'nfs-keepalived')
    assert.equal(keepalivedStack.haInstallRunbook, 'ha-keepalived')
    assert.equal(keepalivedStack.transitionLog, '/var/log/hapair-ha.log')
  })

  it('detection bound: 3 adverts plus the standby skew (priority 90: 166/256 of an advert)', () => {
    assert.equal(keepalivedStack.detectionBoundMs(testCluster().config), Math.ceil((3 + 166 / 256) * 1000))
    assert.equal(keepalivedStack.detectionBoundMs(testCluster({keepalived: {virtualRouterId: 51, advertInt: 2}}).config), Math.ceil((6 + 332 / 256) * 1000))
  })

  it('the recorded clean-stop failover fits well inside the crash bound', () => {
    const moved = /took the VIP (\d+) ms/.exec(recorded('keepalived', 'ip-after-failover-new-master').note!)
    assert.ok(moved)
    assert.ok(Number(moved[1]) < keepalivedStack.detectionBoundMs(testCluster().config))
  })

  it('service failure bound: fall checks interval apart plus one restart attempt', () => {
    assert.equal(keepalivedStack.serviceFailureBoundMs(testCluster().config), (2 * 2 + 30) * 1000)
  })
})
