import assert from 'node:assert/strict'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'
import {blockDevicesFact, diskCandidates, discover, discoveryScript, gatewayFact, hostnameFact, nicFor, nicsFact, parseDiscovery, subnetFor, suggestDisk, suggestVip} from '../../../src/wizard/discover.js'
import {FakeHost} from '../../../src/transport/fake-host.js'

const DIR = fileURLToPath(new URL('../../../../test/fixtures/config/discovery/', import.meta.url))
const recorded = (name: string) => readFile(join(DIR, name), 'utf8')

describe('discovery facts on recorded output (Debian 12 host)', () => {
  it('reads hostname, disks, NICs and gateway', async () => {
    const d = parseDiscovery(await recorded('host-debian12.txt'))
    assert.deepEqual(d.problems, [])
    assert.equal(d.hostname, 'vm')
    // zram0 (size 0) and the loop devices are not offered; vda holds / and is not blank.
    assert.deepEqual(d.disks, [{path: '/dev/vda', sizeBytes: 274877906944, blank: false, inUse: ['mounted at /'], root: true}])
    assert.deepEqual(nicFor(d.nics, '192.0.2.2'), {name: 'eth0', prefix: 24})
    assert.equal(subnetFor(d.nics, '192.0.2.2'), '192.0.2.0/24')
    assert.equal(d.gateway, '192.0.2.1')
    assert.equal(suggestDisk(d.disks, undefined), undefined, 'no blank disk on this host')
  })

  it('keeps loop children as lsblk nests them', async () => {
    const text = await recorded('host-debian12.txt')
    const section = text.split('@@hapair-fact disks\n')[1].split('\n@@hapair-fact-rc')[0]
    const devices = blockDevicesFact.parse(section, 0)
    const loop0 = devices.find((x) => x.name === 'loop0')!
    assert.equal(loop0.type, 'loop')
    assert.deepEqual(loop0.children.map((c) => [c.path, c.type, c.sizeBytes]), [['/dev/loop0p1', 'part', 104857600]])
  })

  it('a host without iproute2 still yields hostname and disks, and says what failed', async () => {
    const d = parseDiscovery(await recorded('host-without-ip.txt'))
    assert.equal(d.hostname, 'vm')
    assert.equal(d.disks?.length, 1)
    assert.equal(d.nics, undefined)
    assert.equal(d.gateway, undefined)
    assert.equal(d.problems.length, 1)
    assert.match(d.problems[0], /^nics: ip -j -4 addr failed \(exit 127\): .*ip: command not found/)
  })
})

describe('discovery on lab-like guests (constructed fixtures, see README)', () => {
  it('offers the disk blank on both nodes, never the root disk', async () => {
    const a = parseDiscovery(await recorded('guest-node1.txt'))
    const b = parseDiscovery(await recorded('guest-node2.txt'))
    const vda = a.disks!.find((x) => x.path === '/dev/vda')!
    assert.equal(vda.root, true)
    assert.deepEqual(vda.inUse, ['has partitions vda1, vda14, vda15', 'has a gpt partition table', 'mounted at /, /boot/efi'])
    assert.deepEqual(b.disks!.find((x) => x.path === '/dev/vdc')!.inUse, ['holds ext4'])
    assert.equal(suggestDisk(a.disks, b.disks), '/dev/vdb')
    assert.equal(suggestDisk(b.disks, a.disks), '/dev/vdb', 'vdc is not blank, and not on node1')
    assert.deepEqual(nicFor(a.nics, '10.10.0.11'), {name: 'ens3', prefix: 24})
    assert.equal(a.nics!.find((n) => n.name === 'ens4')!.up, false)
    assert.equal(a.gateway, '10.10.0.1')
  })
})

describe('discovery parsers on edge cases', () => {
  it('hostname requires output', () => {
    assert.equal(hostnameFact.parse('node1\n', 0), 'node1')
    assert.throws(() => hostnameFact.parse('', 0))
  })
  it('lsblk older than 2.33: string sizes, no PATH column', () => {
    const [d] = blockDevicesFact.parse('{"blockdevices": [{"name": "sdb", "size": "1073741824", "type": "disk", "fstype": null, "mountpoint": null, "pttype": null}]}', 0)
    assert.equal(d.path, '/dev/sdb')
    assert.equal(d.sizeBytes, 1073741824)
    assert.deepEqual(diskCandidates([d]), [{path: '/dev/sdb', sizeBytes: 1073741824, blank: true, inUse: [], root: false}])
  })
  it('a failed lsblk is an error, not an empty disk list', () => {
    assert.throws(() => blockDevicesFact.parse('lsblk: unknown column: PATH', 1), /lsblk failed \(exit 1\)/)
  })
  it('no default route: no gateway', () => {
    assert.equal(gatewayFact.parse('[]', 0), undefined)
    assert.equal(gatewayFact.parse('', 0), undefined)
  })
  it('NICs without IPv4 have no addresses', () => {
    const nics = nicsFact.parse('[{"ifindex":3,"ifname":"ens4","flags":["BROADCAST"],"operstate":"DOWN","addr_info":[]}]', 0)
    assert.deepEqual(nics, [{name: 'ens4', up: false, addresses: []}])
  })
})

describe('suggestVip', () => {
  it('offers .200 in a /24, skipping taken addresses', () => {
    assert.equal(suggestVip('192.168.1.151', 24, ['192.168.1.151']), '192.168.1.200')
    assert.equal(suggestVip('192.168.1.151', 24, ['192.168.1.200']), '192.168.1.100')
  })
  it('stays inside small subnets', () => {
    assert.equal(suggestVip('10.0.0.5', 29, ['10.0.0.5']), '10.0.0.6')
    assert.equal(suggestVip('10.0.0.5', 32, []), undefined)
  })
})

describe('discover(host)', () => {
  it('runs one read-only script and parses it', async () => {
    const host = new FakeHost('node1').expect('lsblk -J -b', {stdout: await recorded('guest-node1.txt')})
    const d = await discover(host)
    assert.equal(d.hostname, 'node1')
    host.done()
    assert.equal(host.calls.length, 1)
    assert.equal(host.calls[0].script, discoveryScript)
  })
})
