/**
 * drbd.metadata: `create-md` only where no DRBD metadata exists, and only on a backing partition
 * that libblkid finds nothing on. Metadata counts as present when the resource is attached, when
 * drbdadm get-gi reads it, or when libblkid sees a drbd signature (then hapair never writes over it,
 * even if drbdadm cannot read it).
 *
 * A backing device that holds a filesystem or other signature is refused; with --wipe its
 * signatures and first MiB are wiped first (the seeds' `dd`), and the change names what is lost.
 * `--force` on create-md only skips drbdmeta's question, asked because of bytes without any known
 * signature: the script checks `blkid -p` again right before, so nothing recognisable is lost.
 */
import type {Change, Step} from '../../engine/step.js'
import {describeSignature, signaturesFact, type DeviceSignatures} from '../../facts/disks.js'
import {drbdFact, type DrbdFacts} from '../../facts/drbd.js'
import {factSet, shq} from '../../facts/fact.js'
import {backingDevice} from '../../templates/drbd.js'
import {requireStorage} from '../storage/require.js'
import {kernelProblems, refuseIf} from './common.js'
import {blankGuard} from '../common/blank-guard.js'

type Facts = {drbd: DrbdFacts; backing: DeviceSignatures}

export function createMdScript(resource: string, device: string): string {
  return `${blankGuard(device, 'not creating DRBD metadata')}drbdadm -- --force create-md ${shq(resource)} </dev/null
`
}

export function wipeBackingScript(device: string): string {
  return `dev=${shq(device)}
wipefs -a "$dev"
dd if=/dev/zero of="$dev" bs=1M count=1 conv=fsync status=none
`
}

export const drbdMetadata: Step<Facts> = {
  id: 'drbd.metadata',
  title: 'DRBD metadata',
  pairwise: 'whether metadata may be created, and which side is fresh, is decided from both nodes at once (the initial primary depends on it)',
  facts: (ctx) => {
    requireStorage(ctx.config)
    return factSet({drbd: drbdFact(ctx.config.drbd.resource, ctx.config.drbd.device), backing: signaturesFact(backingDevice(ctx.config))})
  },
  plan(ctx, facts) {
    const res = ctx.config.drbd.resource
    const device = backingDevice(ctx.config)
    const problems: string[] = []
    const notes: string[] = []
    const changes: Change[] = []
    for (const node of ctx.nodes) {
      const {drbd, backing} = facts[node.name]
      const kp = kernelProblems(node.name, drbd)
      if (kp.length) {
        problems.push(...kp)
        continue
      }
      const where = `${node.name}:${device}`
      if (drbd.state && drbd.state.disk !== 'Diskless') {
        notes.push(`${node.name}: ${res} is attached (${drbd.state.disk}): metadata in use`)
        continue
      }
      if (drbd.gi.kind === 'present') {
        notes.push(`${node.name}: metadata present on ${device} (current UUID ${drbd.gi.current}${drbd.gi.fresh ? ', never held data' : ''})`)
        continue
      }
      if (drbd.gi.kind === 'no-config') {
        problems.push(`${node.name}: drbdadm does not know ${res} (run drbd.config first): ${drbd.gi.message}`)
        continue
      }
      if (!backing.exists) {
        problems.push(`${where} does not exist (run \`hapair partition\` first)`)
        continue
      }
      if (backing.signatures.some((s) => s.type === 'drbd')) {
        problems.push(`${where} carries a DRBD metadata signature that drbdadm cannot read (${drbd.gi.kind === 'error' ? drbd.gi.message : 'get-gi failed'}); hapair will not write new metadata over it`)
        continue
      }
      if (drbd.gi.kind === 'error') {
        problems.push(`${node.name}: drbdadm get-gi ${res} failed: ${drbd.gi.message}`)
        continue
      }
      if (!backing.readable) {
        problems.push(`${where} cannot be read: ${backing.error ?? 'wipefs failed'}`)
        continue
      }
      if (backing.signatures.length > 0) {
        const found = backing.signatures.map(describeSignature).join(', ')
        if (!ctx.options.wipe) {
          problems.push(`${where} is not blank: ${found}`)
          continue
        }
        changes.push({kind: 'command', node: node.name, title: `wipe ${device}`, script: wipeBackingScript(device), destroys: `${where}: ${found}`})
      }
      changes.push({kind: 'command', node: node.name, title: `create DRBD metadata for ${res} on ${device}`, script: createMdScript(res, device)})
    }
    const wipeable = problems.some((p) => p.includes('is not blank'))
    refuseIf('drbd.metadata', problems, wipeable ? 'if that data can go, re-run with --wipe (hapair lists what will be lost and asks first)' : undefined)
    return {changes, notes}
  },
}
