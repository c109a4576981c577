import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {mountFact, parseMountinfoLine} from '../../../src/facts/mounts.js'
import {recorded} from '../../helpers/recorded.js'

describe('mountFact on recorded /proc/self/mountinfo', () => {
  it('finds a mounted partition by mount point and by device', () => {
    const f = recorded('disks', 'mount-mounted')
    const target = f.fact.atTarget[0].target as string
    const device = f.fact.ofDevice[0].source as string
    const info = mountFact(target, device).parse(f.output, 0)
    assert.deepEqual(info, f.fact)
    assert.equal(info.dirExists, true)
    assert.equal(info.atTarget.length, 1)
    assert.equal(info.atTarget[0].fstype, 'ext4')
    assert.equal(info.atTarget[0].source, device)
    assert.deepEqual(info.fstabLines, [])
  })

  it('a missing directory and a device mounted nowhere', () => {
    const f = recorded('disks', 'mount-missing-dir')
    assert.equal(f.fact.dirExists, false)
    assert.deepEqual(f.fact.atTarget, [])
    assert.deepEqual(f.fact.ofDevice, [])
  })

  it('matches a device by major:minor when mountinfo names it differently', () => {
    const out = '@@mount dir yes\n@@mount devmm 147:0\n@@mount mountinfo\n99 27 147:0 / /data rw,relatime - ext4 /dev/disk/by-id/drbd-r0 rw\n@@mount fstab\n/dev/drbd0 /data ext4 defaults 0 0\n'
    const info = mountFact('/data', '/dev/drbd0').parse(out, 0)
    assert.equal(info.ofDevice.length, 1)
    assert.equal(info.atTarget[0].source, '/dev/disk/by-id/drbd-r0')
    assert.deepEqual(info.fstabLines, ['/dev/drbd0 /data ext4 defaults 0 0'])
  })

  it('unescapes spaces in mount points', () => {
    assert.equal(parseMountinfoLine('70 27 8:1 / /mnt/my\\040disk rw - ext4 /dev/sda1 rw')?.target, '/mnt/my disk')
    assert.equal(parseMountinfoLine('garbage'), null)
  })
})
