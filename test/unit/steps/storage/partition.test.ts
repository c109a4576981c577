/**
 * storage.partition's plan as a function of recorded disk facts. The fixtures were recorded on
 * loop devices; `onVdb` renames them to the cluster file's /dev/vdb so config and facts agree.
 */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import type {CommandChange} from '../../../../src/engine/step.js'
import {RefusalError} from '../../../../src/errors.js'
import {parseDiskOutput, type DiskInfo} from '../../../../src/facts/disks.js'
import {planPartition} from '../../../../src/steps/storage/partition.js'
import {usableBytes} from '../../../../src/steps/storage/disk-plan.js'
import {testContext} from '../../../helpers/cluster.js'
import {recorded} from '../../../helpers/recorded.js'

const MiB = 1024 * 1024

/** A recorded disk fact, as if the disk were /dev/vdb. */
function onVdb(name: string, patch: Partial<DiskInfo> = {}): {disk: DiskInfo} {
  const f = recorded('disks', name)
  const loop = f.fact.path as string
  const info = parseDiskOutput(loop, f.output)
  const renamed = JSON.parse(JSON.stringify(info).replaceAll(`${loop}p`, '/dev/vdb').replaceAll(loop, '/dev/vdb')) as DiskInfo
  return {disk: {...renamed, ...patch}}
}

const ctx = (size = 'rest', options: {wipe?: boolean} = {}) => testContext({storage: {disk: '/dev/vdb', partition: {number: 1, size}}}, {options})
const commands = (changes: unknown[]) => changes as CommandChange[]

function refusal(fn: () => unknown): RefusalError {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof RefusalError, `expected a RefusalError, got ${e}`)
    return e
  }
  assert.fail('expected a RefusalError, the plan went through')
}

describe('storage.partition plan', () => {
  it('two blank disks of different sizes, "rest": both get the smaller disk\'s size, explicitly', () => {
    const small = onVdb('blank') // 256 MiB
    const big = onVdb('blank', {size: 300 * MiB})
    const plan = planPartition(ctx('rest'), {node1: big, node2: small})
    const c = commands(plan.changes)
    assert.deepEqual(c.map((x) => x.node), ['node1', 'node2'])
    const sectors = usableBytes(small.disk) / 512
    assert.equal(usableBytes(small.disk), 254 * MiB)
    for (const change of c) {
      assert.match(change.script, new RegExp(`'start=2048, size=${sectors}, type=L'`))
      assert.match(change.script, /'label: gpt'/)
      assert.match(change.script, /partx -u/)
      assert.match(change.script, /\[ -b "\$p" \]/, 'checks the partition node appeared')
      assert.equal(change.destroys, undefined)
    }
    assert.ok(plan.notes.some((n) => n.includes('254 MiB') && n.includes('node2:/dev/vdb')), plan.notes.join('\n'))
  })

  it('an explicit size on a blank disk, and an empty label keeps its type', () => {
    const plan = planPartition(ctx('100M'), {node1: onVdb('blank'), node2: onVdb('dos-empty')})
    const [a, b] = commands(plan.changes)
    assert.match(a.script, /'label: gpt'/)
    assert.match(a.script, /size=204800,/)
    assert.match(b.script, /'label: dos'/)
    assert.match(b.script, /size=204800,/)
  })

  it('converged: the partition the create script made is there with the right size: no change', () => {
    // partitioned-ours was recorded after running createScript(..., 255 MiB) on a blank disk.
    const plan = planPartition(ctx('255M'), {node1: onVdb('partitioned-ours'), node2: onVdb('partitioned-ours')})
    assert.deepEqual(plan.changes, [])
    assert.ok(plan.notes.some((n) => /node1:\/dev\/vdb: \/dev\/vdb1 is 255 MiB as wanted/.test(n)), plan.notes.join('\n'))
  })

  it('"rest" is computed from the disks, so a re-run finds the same size; within 1 MiB counts as equal', () => {
    // 257 MiB leaves 255 MiB usable: the size the other node's existing partition has.
    const plan = planPartition(ctx('rest'), {node1: onVdb('partitioned-ours'), node2: onVdb('blank', {size: 257 * MiB})})
    const c = commands(plan.changes)
    assert.deepEqual(c.map((x) => x.node), ['node2'])
    assert.match(c[0].script, /size=522240,/)
    // fdisk's default "rest" ends at the last usable sector, not on a MiB boundary: still the same size.
    const fdiskRest = onVdb('partitioned-ours')
    fdiskRest.disk.table!.partitions[0].bytes += 1015 * 512
    assert.deepEqual(planPartition(ctx('255M'), {node1: fdiskRest, node2: onVdb('partitioned-ours')}).changes, [])
  })

  it('a partition the kernel does not see yet: only a rescan', () => {
    const plan = planPartition(ctx('255M'), {node1: onVdb('partitioned-ours', {kernelPartitions: []}), node2: onVdb('partitioned-ours')})
    const c = commands(plan.changes)
    assert.equal(c.length, 1)
    assert.equal(c[0].node, 'node1')
    assert.match(c[0].script, /partx -u/)
    assert.doesNotMatch(c[0].script, /sfdisk|wipefs/)
  })

  it('a size larger than a disk: refused before any change, naming the node', () => {
    const e = refusal(() => planPartition(ctx('1G'), {node1: onVdb('blank'), node2: onVdb('blank', {size: 2048 * MiB})}))
    assert.match(e.message, /node1:\/dev\/vdb: partition 1 would be 1 GiB but the disk has 254 MiB usable/)
    assert.doesNotMatch(e.message, /node2/)
  })

  it('a disk holding filesystems is refused, listing what is on it and where', () => {
    const data = onVdb('ext4-and-xfs')
    const ext4 = data.disk.signatures.find((s) => s.type === 'ext4')!
    const e = refusal(() => planPartition(ctx('rest'), {node1: onVdb('blank'), node2: data}))
    assert.match(e.message, /node2:\/dev\/vdb is not blank/)
    assert.ok(e.message.includes(`partition vdb1 (100 MiB): ext4 filesystem 'data' (UUID ${ext4.uuid})`), e.message)
    assert.match(e.message, /partition vdb2 \(698 MiB\): xfs filesystem 'logs'/)
    assert.match(e.message, /gpt partition table/)
    assert.doesNotMatch(e.message, /node1/)
    assert.match(e.hint!, /--wipe/)
  })

  it('--wipe: a wipe change whose `destroys` lists exactly what is lost, then the create; the blank node is only created', () => {
    const data = onVdb('ext4-and-xfs')
    const plan = planPartition(ctx('rest', {wipe: true}), {node1: onVdb('blank'), node2: data})
    const c = commands(plan.changes)
    assert.deepEqual(c.map((x) => [x.node, x.title.split(' ')[0]]), [['node1', 'create'], ['node2', 'wipe'], ['node2', 'create']])
    const wipe = c[1]
    const ext4 = data.disk.signatures.find((s) => s.type === 'ext4')!
    const xfs = data.disk.signatures.find((s) => s.type === 'xfs')!
    assert.equal(
      wipe.destroys,
      `node2:/dev/vdb: partition vdb1 (100 MiB): ext4 filesystem 'data' (UUID ${ext4.uuid}); partition vdb2 (698 MiB): xfs filesystem 'logs' (UUID ${xfs.uuid}); gpt partition table`,
    )
    assert.match(wipe.script, /wipefs -a "\$p"/)
    assert.match(wipe.script, /'\/dev\/vdb1' '\/dev\/vdb2'/)
    assert.match(wipe.script, /wipefs -a "\$d"/)
    // Both nodes still get the same size: the smaller usable space, the wiped disk counted as empty.
    assert.equal(c[0].script.match(/size=\d+/)![0], c[2].script.match(/size=\d+/)![0])
  })

  it('after --wipe the recorded result is converged', () => {
    const plan = planPartition(ctx('255M'), {node1: onVdb('after-wipe'), node2: onVdb('partitioned-ours')})
    assert.deepEqual(plan.changes, [])
  })

  it('anything mounted or in use is refused even with --wipe', () => {
    const e = refusal(() => planPartition(ctx('rest', {wipe: true}), {node1: onVdb('blank'), node2: onVdb('ext4-mounted')}))
    assert.match(e.message, /node2:\/dev\/vdb is in use, so hapair will not partition it, even with --wipe/)
    assert.match(e.message, /\/dev\/vdb1 is mounted on \S+\/mnt/)
    assert.equal(e.hint, undefined, 'no --wipe hint when --wipe would not help')
  })

  it('an in-use partition that is already right (DRBD attached to it) is fine', () => {
    const attached = onVdb('partitioned-ours', {uses: [{kind: 'busy', device: '/dev/vdb1', detail: ''}, {kind: 'busy', device: '/dev/vdb', detail: ''}]})
    assert.deepEqual(planPartition(ctx('255M'), {node1: attached, node2: onVdb('partitioned-ours')}).changes, [])
  })

  it('LVM, swap and whole-disk filesystems are refused by name', () => {
    const e = refusal(() => planPartition(ctx('rest'), {node1: onVdb('lvm-whole-disk'), node2: onVdb('swap-whole-disk')}))
    assert.match(e.message, /node1:\/dev\/vdb is not blank: LVM physical volume \(UUID [^)]+\) on \/dev\/vdb/)
    assert.match(e.message, /node2:\/dev\/vdb is not blank: swap area 'myswap'/)
    const whole = refusal(() => planPartition(ctx('rest'), {node1: onVdb('ext4-whole-disk'), node2: onVdb('blank')}))
    assert.match(whole.message, /node1:\/dev\/vdb is not blank: ext4 filesystem 'whole'/)
  })

  it('a partition of another size is not resized: refused, or recreated with --wipe', () => {
    const e = refusal(() => planPartition(ctx('200M'), {node1: onVdb('partitioned-ours'), node2: onVdb('blank')}))
    assert.match(e.message, /node1:\/dev\/vdb is not blank: partition \/dev\/vdb1 is 255 MiB, not 200 MiB \(hapair does not resize partitions\)/)
    const plan = planPartition(ctx('200M', {wipe: true}), {node1: onVdb('partitioned-ours'), node2: onVdb('blank')})
    const c = commands(plan.changes)
    assert.deepEqual(c.map((x) => [x.node, x.title.split(' ')[0]]), [['node1', 'wipe'], ['node1', 'create'], ['node2', 'create']])
    assert.equal(c[0].destroys, 'node1:/dev/vdb: partition vdb1 (255 MiB); gpt partition table')
  })

  it('a missing disk is refused; both nodes\' problems come in one message', () => {
    const e = refusal(() => planPartition(ctx('rest'), {node1: onVdb('missing'), node2: onVdb('lvm-whole-disk')}))
    assert.match(e.message, /node1:\/dev\/vdb does not exist/)
    assert.match(e.message, /node2:\/dev\/vdb is not blank/)
  })

  it('dos labels only take primary partitions 1-4', () => {
    const c = testContext({storage: {disk: '/dev/vdb', partition: {number: 5, size: '10M'}}})
    const e = refusal(() => planPartition(c, {node1: onVdb('dos-empty'), node2: onVdb('blank')}))
    assert.match(e.message, /node1:\/dev\/vdb has an empty dos label/)
  })

  it('partition numbers above 1 name their device in the sfdisk input', () => {
    const c = testContext({storage: {disk: '/dev/vdb', partition: {number: 2, size: '10M'}}})
    const [a] = commands(planPartition(c, {node1: onVdb('blank'), node2: onVdb('blank')}).changes)
    assert.match(a.script, /'\/dev\/vdb2 : start=2048, size=20480, type=L'/)
  })

  it('a disk named by a /dev/disk/by-id link: its empty label is still blank, the partition gets udev\'s -part name', () => {
    const c = testContext({storage: {disk: '/dev/disk/by-id/virtio-data', partition: {number: 1, size: '10M'}}})
    const byId = onVdb('gpt-empty', {path: '/dev/disk/by-id/virtio-data'})
    const [a] = commands(planPartition(c, {node1: byId, node2: byId}).changes)
    assert.match(a.script, /p='\/dev\/disk\/by-id\/virtio-data-part1'/)
    assert.match(a.script, /'label: gpt'/)
  })
})
