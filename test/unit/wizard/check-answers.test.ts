import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {checkDiskAnswer, checkInterfaceAnswer, checkSizeAnswer, nodeIpChoices} from '../../../src/wizard/check-answers.js'
import type {DiskCandidate, Nic} from '../../../src/wizard/discover.js'

const nics: Nic[] = [
  {name: 'lo', up: true, addresses: [{address: '127.0.0.1', prefix: 8}]},
  {name: 'v0', up: true, addresses: [{address: '10.0.0.11', prefix: 24}]},
  {name: 'v1', up: true, addresses: []},
]
const disk = (path: string, sizeBytes: number, root = false): DiskCandidate => ({path, sizeBytes, blank: !root, inUse: [], root})
const disks = [disk('/dev/vda', 4 * 2 ** 30, true), disk('/dev/vdb', 2 ** 30)]

describe('checkInterfaceAnswer', () => {
  it('takes an interface with an IPv4 address on every node that was read, and ignores nodes not read', () => {
    assert.equal(checkInterfaceAnswer('v0', [{name: 'node1', nics}, {name: 'node2'}]), true)
  })
  it('names each node that lacks it and what it has', () => {
    assert.equal(checkInterfaceAnswer('eth9', [{name: 'node1', nics}, {name: 'node2', nics}]), 'node1 has no interface eth9 with an IPv4 address (it has: lo, v0); node2 has no interface eth9 with an IPv4 address (it has: lo, v0)')
    assert.match(String(checkInterfaceAnswer('v1', [{name: 'node1', nics}])), /no interface v1 with an IPv4 address/)
  })
})

describe('checkDiskAnswer / checkSizeAnswer', () => {
  it('a whole disk present on both, not the root disk', () => {
    assert.equal(checkDiskAnswer('/dev/vdb', [{name: 'node1', disks}, {name: 'node2', disks}]), true)
    assert.equal(checkDiskAnswer('/dev/sdz', [{name: 'node1', disks}, {name: 'node2', disks: [disk('/dev/sdz', 2 ** 30)]}]), '/dev/sdz is not a disk on node1 (its disks: /dev/vda, /dev/vdb)')
    assert.equal(checkDiskAnswer('/dev/vda', [{name: 'node1', disks}]), "/dev/vda holds node1's root filesystem")
    assert.equal(checkDiskAnswer('/dev/vdb1', [{name: 'node1', disks}]), '/dev/vdb1 is not a disk on node1 (its disks: /dev/vda, /dev/vdb)')
    assert.equal(checkDiskAnswer('/dev/disk/by-id/x', [{name: 'node1', disks}]), true)
  })
  it('a size that fits the smaller disk, with room for the partition table', () => {
    const both = [{name: 'node1', disks}, {name: 'node2', disks: [disk('/dev/vdb', 512 * 2 ** 20)]}]
    assert.equal(checkSizeAnswer('rest', '/dev/vdb', both), true)
    assert.equal(checkSizeAnswer('500M', '/dev/vdb', both), true)
    assert.match(String(checkSizeAnswer('511M', '/dev/vdb', both)), /^511M does not fit \/dev\/vdb on node2 \(512M/)
    assert.match(String(checkSizeAnswer('1G', '/dev/vdb', both)), /does not fit \/dev\/vdb on node1/)
  })
})

describe('nodeIpChoices', () => {
  it('offers the IPv4 addresses of up, non-loopback NICs and takes only those', () => {
    const {choices, check} = nodeIpChoices('node1', nics)
    assert.deepEqual(choices, ['10.0.0.11'])
    assert.equal(check('10.0.0.11'), true)
    assert.equal(check('10.0.0.12'), 'node1 does not hold 10.0.0.12 (it has: 10.0.0.11)')
    assert.equal(nodeIpChoices('node1', undefined).check('10.0.0.12'), true, 'a node not read: any IPv4')
  })
})
