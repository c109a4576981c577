/**
 * What the lab asks qemu-img about its qcow2 disks: the internal snapshots a disk holds (a lab
 * checkpoint is one per guest disk, with the RAM state in the root disk), its backing file and
 * its size on the host. `-U` (force share) reads a disk a running qemu holds open.
 */
import {LabError, describeFailure, mustRun, run, sleep} from './run.js'

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

/**
 * qemu-img on a disk no qemu holds open. Right after a guest's qemu was killed its leader is a
 * zombie (so the lab counts it dead) while its other threads may still hold the image lock for
 * a moment ("Failed to get "write" lock", seen when the suite reset the guests): wait it out.
 */
async function offline(argv: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const r = await run(argv)
    if (r.code === 0) return
    if (attempt >= 40 || !/Failed to get .*lock/.test(r.stderr)) throw new LabError(describeFailure(r))
    await sleep(250)
  }
}

export async function createDiskSnapshot(file: string, tag: string): Promise<void> {
  await offline(['qemu-img', 'snapshot', '-c', tag, file])
}

/** Reverts a disk to one of its snapshots (the others stay). */
export async function applyDiskSnapshot(file: string, tag: string): Promise<void> {
  await offline(['qemu-img', 'snapshot', '-a', tag, file])
}
