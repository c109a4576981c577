/**
 * filesystem.mkfs: a filesystem on the DRBD device, made on the Primary only (a Secondary cannot
 * even open it; DRBD replicates the result), and only when the device holds no filesystem or other
 * signature. A device that already holds the wanted filesystem is left alone; any other signature
 * is refused unless --wipe. mkfs runs without force flags, so mkfs itself also refuses a device it
 * finds data on; discards are skipped so mkfs does not ask DRBD to discard the whole device over
 * the network while the initial sync runs.
 */
import type {Change, Step} from '../../engine/step.js'
import {describeSignature, signaturesFact, type DeviceSignatures} from '../../facts/disks.js'
import {drbdStateFact} from '../../facts/drbd.js'
import {factSet, shq} from '../../facts/fact.js'
import type {ServiceStates} from '../../facts/services.js'
import {kernelProblems, managerUnitFacts, refuseIf, standDownNote} from '../drbd/common.js'
import type {DrbdState} from '../drbd/poll.js'
import {requireFilesystem} from '../storage/require.js'
import {blankGuard} from '../common/blank-guard.js'

type Facts = {drbd: DrbdState; device: DeviceSignatures; mkfs: {found: boolean}; ha?: ServiceStates}

const tool = (type: string) => `mkfs.${type}`

const toolFact = (type: string) => ({
  command: `command -v ${tool(type)} >/dev/null 2>&1 && echo found || echo missing`,
  parse: (stdout: string) => ({found: stdout.trim() === 'found'}),
})

export function mkfsScript(type: 'ext4' | 'xfs', device: string, force: boolean): string {
  const dev = shq(device)
  const guard = force
    ? ''
    : blankGuard(device, 'not making a filesystem')
  const cmd = type === 'ext4' ? `mkfs.ext4 -q ${force ? '-F ' : ''}-E nodiscard ${dev} </dev/null` : `mkfs.xfs -q ${force ? '-f ' : ''}-K ${dev} </dev/null`
  return `${guard}${cmd}\n`
}

export const filesystemMkfs: Step<Facts> = {
  id: 'filesystem.mkfs',
  title: 'Filesystem on the DRBD device',
  pairwise: 'mkfs runs on the Primary only after both nodes show the device blank and in sync',
  facts: (ctx) =>
    factSet({
      drbd: drbdStateFact(ctx.config.drbd.resource, ctx.config.drbd.device),
      device: signaturesFact(ctx.config.drbd.device),
      mkfs: toolFact(requireFilesystem(ctx.config).type),
      ...managerUnitFacts(ctx),
    }),
  plan(ctx, facts) {
    const fs = requireFilesystem(ctx.config)
    const {device, resource} = ctx.config.drbd
    refuseIf('filesystem.mkfs', ctx.nodes.flatMap((n) => kernelProblems(n.name, facts[n.name].drbd)))
    const primary = ctx.nodes.find((n) => facts[n.name].drbd.state?.role === 'Primary')
    // Only a Primary can read the device. No Primary while the manager that owns the role runs
    // (a takeover in progress, both standing by): it is the manager's to promote, not hapair's.
    const standDown = primary ? undefined : standDownNote(ctx, facts, `the device (the filesystem is checked on the Primary it makes)`)
    if (standDown) return {changes: [], notes: [standDown]}
    if (!primary) refuseIf('filesystem.mkfs', [`no node is Primary for ${resource} (run drbd.primary first)`])
    const f = facts[primary!.name]
    const where = `${primary!.name}:${device}`
    if (!f.device.readable) refuseIf('filesystem.mkfs', [`${where} cannot be read: ${f.device.error ?? 'no such device'}`])
    const sigs = f.device.signatures
    if (sigs.some((s) => s.type === fs.type)) {
      const s = sigs.find((x) => x.type === fs.type)!
      return {changes: [], notes: [`${where} holds ${describeSignature(s)}`]}
    }
    if (!f.mkfs.found) refuseIf('filesystem.mkfs', [`${primary!.name}: ${tool(fs.type)} is not installed (${fs.type === 'xfs' ? 'xfsprogs; drbd.packages installs it' : 'e2fsprogs'})`])
    const changes: Change[] = []
    if (sigs.length > 0) {
      const found = sigs.map(describeSignature).join(', ')
      if (!ctx.options.wipe) {
        refuseIf('filesystem.mkfs', [`${where} is not blank: ${found}; hapair makes a filesystem only on a blank device`], 'if that data can go, re-run with --wipe')
      }
      changes.push({kind: 'command', node: primary!.name, title: `make ${fs.type} on ${device} over what is there`, script: mkfsScript(fs.type, device, true), destroys: `${where}: ${found}`})
    } else {
      changes.push({kind: 'command', node: primary!.name, title: `make ${fs.type} on ${device}`, script: mkfsScript(fs.type, device, false)})
    }
    return {changes, notes: [`${primary!.name} is Primary: the filesystem is made there and replicated`]}
  },
}
