import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import type {CommandChange} from '../../../../src/engine/step.js'
import {RefusalError} from '../../../../src/errors.js'
import {signaturesFact, type DeviceSignatures} from '../../../../src/facts/disks.js'
import {drbdMetadata} from '../../../../src/steps/drbd/metadata.js'
import {testContext} from '../../../helpers/cluster.js'
import {recorded} from '../../../helpers/recorded.js'
import {drbdFacts, gi} from './drbd-facts.js'

/** wipefs of the backing partition, recorded (the device renamed to /dev/vdb1). */
function backing(name: 'backing-blank' | 'backing-drbd' | 'backing-drbd-ext4'): DeviceSignatures {
  const f = recorded('disks', name)
  const parsed = signaturesFact('/dev/vdb1').parse(f.output, f.exitCode ?? 0)
  return {...parsed, signatures: parsed.signatures.map((s) => ({...s, device: '/dev/vdb1'}))}
}
const ext4Backing = (): DeviceSignatures => {
  const b = backing('backing-drbd-ext4')
  return {...b, signatures: b.signatures.filter((s) => s.type === 'ext4')}
}

describe('drbd.metadata plan', () => {
  it('blank partitions without metadata: create-md on both, guarded by a fresh wipefs check', () => {
    const plan = drbdMetadata.plan(testContext(), {
      node1: {drbd: drbdFacts('node1', {gi: gi('none')}), backing: backing('backing-blank')},
      node2: {drbd: drbdFacts('node2', {gi: gi('none')}), backing: backing('backing-blank')},
    })
    const c = plan.changes as CommandChange[]
    assert.deepEqual(c.map((x) => x.node), ['node1', 'node2'])
    for (const x of c) {
      assert.match(x.script, /wipefs --noheadings --output TYPE -- '\/dev\/vdb1'/)
      assert.match(x.script, /drbdadm -- --force create-md 'r0' <\/dev\/null/)
      assert.equal(x.destroys, undefined)
    }
  })

  it('metadata present (read by get-gi, or the resource attached): no change', () => {
    const plan = drbdMetadata.plan(testContext(), {
      node1: {drbd: drbdFacts('node1', {gi: gi('fresh')}), backing: backing('backing-drbd')},
      node2: {drbd: drbdFacts('node2', {state: 'proc84-uptodate', gi: gi('used')}), backing: backing('backing-drbd-ext4')},
    })
    assert.deepEqual(plan.changes, [])
    assert.match(plan.notes[0], /node1: metadata present on \/dev\/vdb1 \(current UUID 0000000000000004, never held data\)/)
    assert.match(plan.notes[1], /node2: r0 is attached \(UpToDate\)/)
  })

  it('only one node needs it: only that node gets create-md', () => {
    const plan = drbdMetadata.plan(testContext(), {
      node1: {drbd: drbdFacts('node1', {gi: gi('fresh')}), backing: backing('backing-drbd')},
      node2: {drbd: drbdFacts('node2', {gi: gi('none')}), backing: backing('backing-blank')},
    })
    assert.deepEqual(plan.changes.map((c) => c.node), ['node2'])
  })

  it('a filesystem on the backing partition: refused with what was found, nothing planned', () => {
    const ext4 = ext4Backing()
    assert.throws(
      () =>
        drbdMetadata.plan(testContext(), {
          node1: {drbd: drbdFacts('node1', {gi: gi('none')}), backing: backing('backing-blank')},
          node2: {drbd: drbdFacts('node2', {gi: gi('none')}), backing: ext4},
        }),
      (e: unknown) => e instanceof RefusalError && e.message.includes(`node2:/dev/vdb1 is not blank: ext4 filesystem 'data' (UUID ${ext4.signatures[0].uuid})`) && /--wipe/.test(e.hint ?? ''),
    )
  })

  it('--wipe: wipe (signatures and the first MiB, naming what is lost), then create-md', () => {
    const ext4 = ext4Backing()
    const plan = drbdMetadata.plan(testContext({}, {options: {wipe: true}}), {
      node1: {drbd: drbdFacts('node1', {gi: gi('none')}), backing: ext4},
      node2: {drbd: drbdFacts('node2', {gi: gi('fresh')}), backing: backing('backing-drbd')},
    })
    const [wipe, create] = plan.changes as CommandChange[]
    assert.equal(plan.changes.length, 2)
    assert.equal(wipe.destroys, `node1:/dev/vdb1: ext4 filesystem 'data' (UUID ${ext4.signatures[0].uuid})`)
    assert.match(wipe.script, /wipefs -a "\$dev"\ndd if=\/dev\/zero of="\$dev" bs=1M count=1/)
    assert.match(create.script, /create-md/)
  })

  it('never writes over a DRBD signature it cannot read, nor without a config or partition', () => {
    const broken = {kind: 'error' as const, message: 'unclean meta data'}
    assert.throws(() => drbdMetadata.plan(testContext({}, {options: {wipe: true}}), {
      node1: {drbd: drbdFacts('node1', {gi: broken}), backing: backing('backing-drbd')},
      node2: {drbd: drbdFacts('node2', {gi: gi('no-config')}), backing: backing('backing-blank')},
    }), (e: unknown) => e instanceof RefusalError && /node1:\/dev\/vdb1 carries a DRBD metadata signature/.test(e.message) && /node2: drbdadm does not know r0 \(run drbd.config first\)/.test(e.message))
    assert.throws(() => drbdMetadata.plan(testContext(), {
      node1: {drbd: drbdFacts('node1', {gi: gi('none')}), backing: {exists: false, readable: false, signatures: []}},
      node2: {drbd: drbdFacts('node2', {gi: gi('none'), loaded: null}), backing: backing('backing-blank')},
    }), (e: unknown) => e instanceof RefusalError && /node1:\/dev\/vdb1 does not exist/.test(e.message) && /node2: no drbd kernel module/.test(e.message))
  })
})
