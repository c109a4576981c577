import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {
  describeSignature,
  diskFact,
  formatBytes,
  parseDiskOutput,
  parseSfdisk,
  partitionPath,
  signaturesFact,
  sizeBytes,
  type DiskInfo,
} from '../../../src/facts/disks.js'
import {recorded, recordedNames} from '../../helpers/recorded.js'

const MiB = 1024 * 1024
const disk = (name: string): DiskInfo => {
  const f = recorded('disks', name)
  return parseDiskOutput(f.fact.path, f.output)
}

describe('diskFact parser on recorded lsblk/sfdisk/wipefs output', () => {
  it('parses every recorded disk fixture to what was recorded (and records the current command)', () => {
    const names = recordedNames('disks').filter((n) => !n.startsWith('backing-') && !n.startsWith('mount-'))
    assert.ok(names.length >= 10, `expected the disk fixtures, found ${names.join(', ')}`)
    for (const name of names) {
      const f = recorded('disks', name)
      assert.equal(f.source, 'recorded', name)
      assert.equal(f.command, diskFact(f.fact.path).command, `${name} was recorded with an older command: re-run record.mjs`)
      assert.deepEqual(parseDiskOutput(f.fact.path, f.output), f.fact, name)
    }
  })

  it('a new disk: size, no table, no signatures, no users', () => {
    const d = disk('blank')
    assert.equal(d.exists, true)
    assert.equal(d.size, 256 * MiB)
    assert.equal(d.sectorSize, 512)
    assert.equal(d.table, null)
    assert.deepEqual(d.signatures, [])
    assert.deepEqual(d.uses, [])
    assert.equal(d.busyChecked, true)
  })

  it('an empty gpt label: table without partitions, only partition-table signatures', () => {
    const d = disk('gpt-empty')
    assert.equal(d.table?.label, 'gpt')
    assert.equal(d.table?.lastLba, 524254)
    assert.deepEqual(d.table?.partitions, [])
    assert.deepEqual([...new Set(d.signatures.map((s) => s.type))].sort(), ['PMBR', 'gpt'])
    assert.equal(disk('dos-empty').table?.label, 'dos')
  })

  it("what storage.partition's script made: partition 1 at 1 MiB, 255 MiB, seen by the kernel", () => {
    const d = disk('partitioned-ours')
    const [p] = d.table!.partitions
    assert.equal(p.number, 1)
    assert.equal(p.start, 2048)
    assert.equal(p.bytes, 255 * MiB)
    assert.deepEqual(d.kernelPartitions, [p.node])
    assert.deepEqual(d.signatures.filter((s) => s.device === p.node), [])
  })

  it('filesystems on partitions: type, label and UUID per partition', () => {
    const d = disk('ext4-and-xfs')
    const ext4 = d.signatures.find((s) => s.type === 'ext4')!
    const xfs = d.signatures.find((s) => s.type === 'xfs')!
    assert.equal(ext4.label, 'data')
    assert.match(ext4.uuid!, /^[0-9a-f-]{36}$/)
    assert.ok(ext4.device.endsWith('p1'))
    assert.equal(xfs.label, 'logs')
    assert.ok(xfs.device.endsWith('p2'))
    assert.deepEqual(d.uses, [])
  })

  it('a mounted partition: the mount and the failed exclusive opens of partition and disk', () => {
    const d = disk('ext4-mounted')
    const mount = d.uses.find((u) => u.kind === 'mount')!
    assert.ok(mount.device.endsWith('p1'))
    assert.match(mount.detail, /\/mnt$/)
    assert.deepEqual(d.uses.filter((u) => u.kind === 'busy').map((u) => u.device), [d.path, `${d.path}p1`])
  })

  it('whole-disk LVM, swap and ext4 signatures', () => {
    assert.equal(disk('lvm-whole-disk').signatures[0].type, 'LVM2_member')
    assert.equal(disk('swap-whole-disk').signatures[0].type, 'swap')
    assert.equal(disk('swap-whole-disk').signatures[0].label, 'myswap')
    const whole = disk('ext4-whole-disk')
    assert.equal(whole.table, null)
    assert.deepEqual(whole.signatures.map((s) => [s.device, s.type]), [[whole.path, 'ext4']])
  })

  it('after the wipe and create scripts: one empty partition, the old filesystems gone', () => {
    const d = disk('after-wipe')
    assert.equal(d.table?.partitions.length, 1)
    assert.equal(d.table?.partitions[0].bytes, 255 * MiB)
    assert.deepEqual(d.signatures.filter((s) => !['gpt', 'PMBR'].includes(s.type)), [])
  })

  it('a disk path that does not exist', () => {
    assert.equal(disk('missing').exists, false)
  })

  it('sfdisk without a table gives null', () => {
    assert.equal(parseSfdisk('sfdisk: /dev/vdb: does not contain a recognized partition table'), null)
  })
})

describe('signaturesFact on recorded wipefs output', () => {
  const sigs = (name: string) => {
    const f = recorded('disks', name)
    return signaturesFact('/dev/x').parse(f.output, f.exitCode ?? 0)
  }
  it('blank partition, DRBD metadata, DRBD metadata under an ext4 made on the DRBD device', () => {
    assert.deepEqual(sigs('backing-blank').signatures, [])
    assert.deepEqual(sigs('backing-drbd').signatures.map((s) => s.type), ['drbd'])
    assert.deepEqual(sigs('backing-drbd-ext4').signatures.map((s) => s.type), ['drbd', 'ext4'])
  })
  it('a missing device and an unreadable one (a Secondary DRBD device) are facts, not errors', () => {
    assert.deepEqual(signaturesFact('/dev/x').parse('@@disk missing\n', 0), {exists: false, readable: false, signatures: []})
    const r = signaturesFact('/dev/drbd0').parse('wipefs: error: /dev/drbd0: probing initialization failed: Wrong medium type\n', 1)
    assert.equal(r.readable, false)
    assert.match(r.error!, /Wrong medium type/)
  })
})

describe('disk helpers', () => {
  it('partition device paths follow the kernel and udev naming', () => {
    assert.equal(partitionPath('/dev/sdb', 1), '/dev/sdb1')
    assert.equal(partitionPath('/dev/vdb', 2), '/dev/vdb2')
    assert.equal(partitionPath('/dev/nvme0n1', 1), '/dev/nvme0n1p1')
    assert.equal(partitionPath('/dev/mmcblk0', 3), '/dev/mmcblk0p3')
    assert.equal(partitionPath('/dev/disk/by-id/virtio-data', 1), '/dev/disk/by-id/virtio-data-part1')
  })
  it('sizes are binary and printed readably', () => {
    assert.equal(sizeBytes('10G'), 10 * 1024 * MiB)
    assert.equal(sizeBytes('1.5T'), 1.5 * 1024 * 1024 * MiB)
    assert.throws(() => sizeBytes('ten'), /not a size/)
    assert.equal(formatBytes(10 * 1024 * MiB), '10 GiB')
    assert.equal(formatBytes(1.5 * 1024 * MiB), '1.5 GiB')
    assert.equal(formatBytes(255 * MiB), '255 MiB')
  })
  it('signatures are described by what they mean for the data', () => {
    assert.equal(describeSignature({device: '/dev/vdb1', type: 'ext4', label: 'data', uuid: 'u-1', offset: '0x438'}), "ext4 filesystem 'data' (UUID u-1)")
    assert.equal(describeSignature({device: '/dev/vdb', type: 'LVM2_member', label: null, uuid: 'abc', offset: '0x218'}), 'LVM physical volume (UUID abc)')
    assert.equal(describeSignature({device: '/dev/vdb1', type: 'drbd', label: null, uuid: null, offset: '0x1'}), 'DRBD metadata')
  })
})
