/**
 * What the lab asks qemu-img about its qcow2 disks: the internal snapshots a disk holds (a lab
 * checkpoint is one per guest disk, with the RAM state in the root disk), its backing file and
 * its size on the host. `-U` (force share) reads a disk a running qemu holds open.
 */
import {mustRun} from './run.js'

export interface Qcow2Snapshot {
  tag: string
  /** Bytes of saved RAM and device state (0 for a disk-only snapshot). */
  vmStateBytes: number
}

export interface Qcow2Info {
  /** Bytes the file takes on the host. */
  actualBytes: number
  backingFile: string | null
  snapshots: Qcow2Snapshot[]
}

/** Parses `qemu-img info --output=json`. */
export function parseQemuImgInfo(json: string): Qcow2Info {
  const info = JSON.parse(json) as {'actual-size'?: number; 'backing-filename'?: string; 'full-backing-filename'?: string; snapshots?: {name: string; 'vm-state-size'?: number}[]}
  return {
    actualBytes: info['actual-size'] ?? 0,
    backingFile: info['full-backing-filename'] ?? info['backing-filename'] ?? null,
    snapshots: (info.snapshots ?? []).map((s) => ({tag: s.name, vmStateBytes: s['vm-state-size'] ?? 0})),
  }
}

export async function qcow2Info(file: string): Promise<Qcow2Info> {
  return parseQemuImgInfo((await mustRun(['qemu-img', 'info', '-U', '--output=json', file])).stdout)
}

/** Disk-only snapshot of a disk no qemu holds open. */
export async function createDiskSnapshot(file: string, tag: string): Promise<void> {
  await mustRun(['qemu-img', 'snapshot', '-c', tag, file])
}

/** Reverts a disk no qemu holds open to one of its snapshots (the others stay). */
export async function applyDiskSnapshot(file: string, tag: string): Promise<void> {
  await mustRun(['qemu-img', 'snapshot', '-a', tag, file])
}

export async function deleteDiskSnapshot(file: string, tag: string): Promise<void> {
  await mustRun(['qemu-img', 'snapshot', '-d', tag, file])
}
