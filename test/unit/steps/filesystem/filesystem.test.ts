import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import type {CommandChange} from '../../../../src/engine/step.js'
import {RefusalError} from '../../../../src/errors.js'
import {signaturesFact, type DeviceSignatures} from '../../../../src/facts/disks.js'
import type {MountInfo} from '../../../../src/facts/mounts.js'
import {filesystemMkfs, mkfsScript} from '../../../../src/steps/filesystem/mkfs.js'
import {filesystemMount} from '../../../../src/steps/filesystem/mount.js'
import {testContext} from '../../../helpers/cluster.js'
import {recorded} from '../../../helpers/recorded.js'
import {drbdFacts, mirrored, procState} from '../drbd/drbd-facts.js'

const primary = procState('proc84-syncsource')
const secondary = mirrored(primary)
const drbd0 = (name: 'backing-blank' | 'backing-drbd-ext4'): DeviceSignatures => {
  const f = recorded('disks', name)
  const p = signaturesFact('/dev/drbd0').parse(f.output, f.exitCode ?? 0)
  // On /dev/drbd0 DRBD's own metadata is out of sight: only the filesystem shows.
  return {...p, signatures: p.signatures.filter((s) => s.type !== 'drbd').map((s) => ({...s, device: '/dev/drbd0'}))}
}
const unreadable: DeviceSignatures = {exists: true, readable: false, signatures: [], error: 'wipefs: error: /dev/drbd0: probing initialization failed: Wrong medium type'}

describe('filesystem.mkfs plan', () => {
  const facts = (dev: DeviceSignatures, o: {found?: boolean} = {}) => ({
    node1: {drbd: drbdFacts('node1', {state: primary}), device: dev, mkfs: {found: o.found ?? true}},
    node2: {drbd: drbdFacts('node2', {state: secondary}), device: unreadable, mkfs: {found: true}},
  })

  it('blank device: mkfs on the Primary only (during the sync), guarded, without force or discard', () => {
    const plan = filesystemMkfs.plan(testContext(), facts(drbd0('backing-blank')))
    const c = plan.changes as CommandChange[]
    assert.deepEqual(c.map((x) => x.node), ['node1'])
    assert.match(c[0].script, /wipefs --noheadings --output TYPE -- '\/dev\/drbd0'/)
    assert.match(c[0].script, /mkfs\.ext4 -q -E nodiscard '\/dev\/drbd0' <\/dev\/null/)
    assert.doesNotMatch(c[0].script, / -F /)
    assert.equal(c[0].destroys, undefined)
  })

  it('the wanted filesystem is there: no change', () => {
    const plan = filesystemMkfs.plan(testContext(), facts(drbd0('backing-drbd-ext4')))
    assert.deepEqual(plan.changes, [])
    assert.match(plan.notes[0], /node1:\/dev\/drbd0 holds ext4 filesystem 'data'/)
  })

  it('another filesystem: refused; with --wipe a forced mkfs naming what is lost', () => {
    const ctx = testContext({filesystem: {type: 'xfs', mountPoint: '/data'}})
    assert.throws(() => filesystemMkfs.plan(ctx, facts(drbd0('backing-drbd-ext4'))), (e: unknown) => e instanceof RefusalError && /node1:\/dev\/drbd0 is not blank: ext4 filesystem 'data'/.test(e.message))
    const wipe = testContext({filesystem: {type: 'xfs', mountPoint: '/data'}}, {options: {wipe: true}})
    const [c] = filesystemMkfs.plan(wipe, facts(drbd0('backing-drbd-ext4'))).changes as CommandChange[]
    assert.match(c.script, /^mkfs\.xfs -q -f -K '\/dev\/drbd0'/)
    assert.match(c.destroys!, /^node1:\/dev\/drbd0: ext4 filesystem 'data'/)
  })

  it('no Primary, or no mkfs tool: refused', () => {
    const s = procState('proc84-connected-inconsistent')
    assert.throws(() => filesystemMkfs.plan(testContext(), {node1: {drbd: drbdFacts('node1', {state: s}), device: unreadable, mkfs: {found: true}}, node2: {drbd: drbdFacts('node2', {state: s}), device: unreadable, mkfs: {found: true}}}), /no node is Primary/)
    assert.throws(() => filesystemMkfs.plan(testContext({filesystem: {type: 'xfs', mountPoint: '/data'}}), facts(drbd0('backing-blank'), {found: false})), /mkfs\.xfs is not installed/)
  })

  it('xfs scripts', () => {
    assert.equal(mkfsScript('xfs', '/dev/drbd0', false).split('\n').at(-2), "mkfs.xfs -q -K '/dev/drbd0' </dev/null")
  })
})

describe('filesystem.mount plan', () => {
  const entry = (target: string, source: string) => ({target, source, fstype: 'ext4', options: 'rw,relatime', majMin: '147:0'})
  const m = (o: Partial<MountInfo> = {}): MountInfo => ({dirExists: true, atTarget: [], ofDevice: [], fstabLines: [], ...o})
  const facts = (a: MountInfo, b: MountInfo) => ({node1: {drbd: drbdFacts('node1', {state: primary}), mount: a}, node2: {drbd: drbdFacts('node2', {state: secondary}), mount: b}})

  it('mount point created on both nodes, mounted on the Primary only', () => {
    const plan = filesystemMount.plan(testContext(), facts(m({dirExists: false}), m({dirExists: false})))
    const c = plan.changes as CommandChange[]
    assert.deepEqual(c.map((x) => [x.node, x.script.trim()]), [
      ['node1', "mkdir -p '/data'"],
      ['node1', "mount -t ext4 '/dev/drbd0' '/data'"],
      ['node2', "mkdir -p '/data'"],
    ])
  })

  it('mounted already: no change', () => {
    const e = entry('/data', '/dev/drbd0')
    const plan = filesystemMount.plan(testContext(), facts(m({atTarget: [e], ofDevice: [e]}), m()))
    assert.deepEqual(plan.changes, [])
    assert.match(plan.notes[0], /node1: \/dev\/drbd0 is mounted on \/data \(ext4\)/)
  })

  it('something else on the mount point, or the device mounted elsewhere: refused', () => {
    assert.throws(() => filesystemMount.plan(testContext(), facts(m({atTarget: [entry('/data', '/dev/sda3')]}), m())), /node1: \/dev\/sda3 is mounted on \/data/)
    const elsewhere = entry('/mnt', '/dev/drbd0')
    assert.throws(() => filesystemMount.plan(testContext(), facts(m({ofDevice: [elsewhere]}), m())), /node1: \/dev\/drbd0 is mounted on \/mnt, not \/data/)
  })

  it('an fstab entry is pointed out, not edited', () => {
    const e = entry('/data', '/dev/drbd0')
    const plan = filesystemMount.plan(testContext(), facts(m({atTarget: [e], ofDevice: [e]}), m({fstabLines: ['/dev/drbd0 /data ext4 defaults 0 0']})))
    assert.deepEqual(plan.changes, [])
    assert.ok(plan.notes.some((n) => /node2: \/etc\/fstab mentions \/data/.test(n)))
  })
})
