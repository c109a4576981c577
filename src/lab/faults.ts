/**
 * Fault injection for drills. Each fault is real at the level a server would feel it:
 * power loss kills qemu outright, a hang freezes the vCPU, a link cut drops the NIC's carrier,
 * a split brain cuts only node-to-node traffic on the bridge.
 */
import {guestPaths, labPaths, type LabPaths} from './paths.js'
import {guestPid, killGuest, startGuest, waitForSsh} from './guest.js'
import {qmp} from './qmp.js'
import {NIC_ID} from './qemu.js'
import {setGuestsIsolated} from './network.js'
import {runningImage} from './lab.js'
import {LabError} from './run.js'
import {GUESTS, guestSpec} from './topology.js'

function qmpSocket(node: string, paths: LabPaths): string {
  guestSpec(node)
  runningImage(paths) // throws "no lab is up" when there is none
  if (!guestPid(node, paths)) throw new LabError(`${node} is powered off`)
  return guestPaths(paths, node).qmpSocket
}

/** Power loss: SIGKILL the guest's qemu (by pid file). Nothing is flushed or shut down. */
export async function powerOff(node: string, paths: LabPaths = labPaths()): Promise<void> {
  guestSpec(node)
  if (!(await killGuest(node, paths))) throw new LabError(`${node} is already powered off`)
}

/** Power back on from the same disks; resolves when SSH answers, with the boot time. */
export async function powerOn(node: string, options: {timeoutMs?: number} = {}, paths: LabPaths = labPaths()): Promise<{bootMs: number}> {
  const guest = guestSpec(node)
  const {image, state} = runningImage(paths)
  const started = Date.now()
  await startGuest(guest, image, state.accel, paths)
  await waitForSsh(node, options.timeoutMs ?? 240_000, paths)
  return {bootMs: Date.now() - started}
}

/** A hang: the vCPU stops (QMP stop); the guest keeps its state and answers nothing. */
export async function pause(node: string, paths: LabPaths = labPaths()): Promise<void> {
  await qmp(qmpSocket(node, paths), 'stop')
}

export async function resume(node: string, paths: LabPaths = labPaths()): Promise<void> {
  await qmp(qmpSocket(node, paths), 'cont')
}

/** A pulled cable: the guest's NIC loses carrier and nothing passes either way. */
export async function linkDown(node: string, paths: LabPaths = labPaths()): Promise<void> {
  await qmp(qmpSocket(node, paths), 'set_link', {name: NIC_ID, up: false})
}

export async function linkUp(node: string, paths: LabPaths = labPaths()): Promise<void> {
  await qmp(qmpSocket(node, paths), 'set_link', {name: NIC_ID, up: true})
}

/** Split brain: node1 and node2 can no longer reach each other; the client still reaches both. */
export async function splitBrain(): Promise<void> {
  await setGuestsIsolated(true)
}

export async function heal(): Promise<void> {
  await setGuestsIsolated(false)
}

/** Undo every fault: heal the split, power on, resume and reconnect each guest. */
export async function restoreAll(options: {timeoutMs?: number} = {}, paths: LabPaths = labPaths()): Promise<void> {
  await heal()
  for (const g of GUESTS) {
    if (!guestPid(g.name, paths)) {
      await powerOn(g.name, options, paths)
      continue
    }
    await resume(g.name, paths)
    await linkUp(g.name, paths)
  }
  await Promise.all(GUESTS.map((g) => waitForSsh(g.name, options.timeoutMs ?? 240_000, paths)))
}

export const FAULTS = ['power-off', 'power-on', 'pause', 'resume', 'link-down', 'link-up', 'split', 'heal', 'restore'] as const
export type FaultName = (typeof FAULTS)[number]

/** The `hapair lab fault` dispatcher: which faults need a node, and running one by name. */
export function faultNeedsNode(fault: FaultName): boolean {
  return !['split', 'heal', 'restore'].includes(fault)
}

export async function injectFault(fault: FaultName, node?: string, paths: LabPaths = labPaths()): Promise<void> {
  if (faultNeedsNode(fault) && !node) throw new LabError(`fault ${fault} needs a node (${GUESTS.map((g) => g.name).join(' or ')})`)
  const n = node as string
  switch (fault) {
    case 'power-off': return powerOff(n, paths)
    case 'power-on': await powerOn(n, {}, paths); return
    case 'pause': return pause(n, paths)
    case 'resume': return resume(n, paths)
    case 'link-down': return linkDown(n, paths)
    case 'link-up': return linkUp(n, paths)
    case 'split': return splitBrain()
    case 'heal': return heal()
    case 'restore': return restoreAll({}, paths)
  }
}
