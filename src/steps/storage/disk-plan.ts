/**
 * Pure decisions of the partition step: what each node's disk is (missing, already partitioned as
 * wanted, blank, or holding something), which size both partitions get, and what a wipe destroys.
 * Kept apart from the step so the rules read (and are tested) as plain functions of facts.
 */
import {
  ALIGNMENT_BYTES,
  TABLE_SIGNATURES,
  describeSignature,
  formatBytes,
  type DiskInfo,
  type PartitionEntry,
} from '../../facts/disks.js'

/** Two partitions whose sizes differ by no more than this are "the same size" (one alignment unit). */
export const SIZE_TOLERANCE_BYTES = ALIGNMENT_BYTES

export type DiskState =
  | {kind: 'missing'}
  /** Partition N exists. `visible`: the kernel has its device node. */
  | {kind: 'has'; entry: PartitionEntry; visible: boolean}
  /** No partitions and no signatures besides an empty partition table. */
  | {kind: 'blank'; label: string | null}
  /** Anything else: `found` says what, readably. */
  | {kind: 'occupied'; found: string[]}

const shortName = (path: string) => path.replace(/^\/dev\//, '')
const trailingNumber = (path: string) => Number(/(\d+)$/.exec(path)?.[1] ?? -1)

/** What is on the disk (signatures, partitions), each as one readable item. */
export function describeContents(info: DiskInfo): string[] {
  const items: string[] = []
  const partitions = info.table?.partitions ?? []
  for (const p of partitions) {
    const sigs = info.signatures.filter((s) => s.device === p.node)
    const content = sigs.length ? `: ${sigs.map(describeSignature).join(', ')}` : ''
    items.push(`partition ${shortName(p.node)} (${formatBytes(p.bytes)})${content}`)
  }
  // Signatures on partitions the table does not list (kernel still knows them) and on the disk itself.
  const listed = new Set(partitions.map((p) => p.node))
  for (const s of info.signatures) {
    if (listed.has(s.device)) continue
    if (s.device === info.kernelPath && TABLE_SIGNATURES.has(s.type)) continue
    items.push(`${describeSignature(s)} on ${s.device}`)
  }
  if (info.table && (partitions.length > 0 || items.length > 0)) items.push(`${info.table.label} partition table`)
  return items
}

/** Mounts, swap, holders and exclusive kernel users, each as one readable item. */
export function describeUses(info: DiskInfo): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  // A busy disk is implied by a busy/mounted partition; report the most specific reason per device.
  const specific = new Set(info.uses.filter((u) => u.kind !== 'busy').map((u) => u.device))
  for (const u of info.uses) {
    let text: string
    if (u.kind === 'mount') text = `${u.device} is mounted on ${u.detail}`
    else if (u.kind === 'swap') text = `${u.device} is active swap`
    else if (u.kind === 'holder') text = `${u.device} is held by ${u.detail} (device-mapper, RAID or similar)`
    else {
      if (specific.has(u.device)) continue
      const partitionBusy = info.uses.some((o) => o.device !== u.device && o.device.startsWith(u.device))
      if (partitionBusy && u.device === info.kernelPath) continue
      text = `${u.device} is in use by the kernel (an exclusive open failed: attached DRBD, RAID, LVM, swap or a mount)`
    }
    if (!seen.has(text)) {
      seen.add(text)
      out.push(text)
    }
  }
  return out
}

export function classifyDisk(info: DiskInfo, number: number): DiskState {
  if (!info.exists) return {kind: 'missing'}
  const entry = info.table?.partitions.find((p) => p.number === number)
  // Compared by number: sfdisk may name the node after a by-id path, the kernel by its own name.
  if (entry) return {kind: 'has', entry, visible: info.kernelPartitions.some((k) => trailingNumber(k) === number)}
  const found = describeContents(info)
  if (found.length === 0) return {kind: 'blank', label: info.table?.label ?? null}
  return {kind: 'occupied', found}
}

/**
 * Bytes a partition can have on this disk when it starts at 1 MiB, rounded down to whole MiB:
 * up to the table's last usable sector, or for a disk without a table up to where a new gpt
 * label leaves room for its backup header (34 sectors).
 */
export function usableBytes(info: DiskInfo): number {
  const ss = info.table?.sectorSize ?? info.sectorSize
  const start = ALIGNMENT_BYTES / ss
  const total = Math.floor(info.size / ss)
  const label = info.table?.label ?? 'gpt'
  const last = info.table?.lastLba ?? (label === 'gpt' ? total - 34 : total - 1)
  return floorAligned(Math.max(0, (last - start + 1) * ss))
}

export const floorAligned = (bytes: number) => Math.floor(bytes / ALIGNMENT_BYTES) * ALIGNMENT_BYTES

export const sameSize = (a: number, b: number) => Math.abs(a - b) <= SIZE_TOLERANCE_BYTES

/**
 * The partition size for both nodes: an explicit size as given (rounded down to whole MiB), or for
 * "rest" the smaller disk's usable space, so both sides match. Computed from the disks alone, so a
 * re-run finds the same size (an existing partition within SIZE_TOLERANCE_BYTES of it, such as
 * fdisk's "rest" on the same disk, counts as right).
 */
export function targetBytes(size: 'rest' | number, states: {node: string; info: DiskInfo; state: DiskState}[]): {bytes: number; why: string} {
  if (size !== 'rest') return {bytes: floorAligned(size), why: `${formatBytes(floorAligned(size))} as configured`}
  const present = states.filter((s) => s.state.kind !== 'missing')
  if (present.length === 0) return {bytes: 0, why: '"rest": no disk found'}
  const smallest = present.reduce((a, b) => (usableBytes(b.info) < usableBytes(a.info) ? b : a))
  const bytes = usableBytes(smallest.info)
  return {bytes, why: `"rest": ${formatBytes(bytes)}, what the smaller disk (${smallest.node}:${smallest.info.path}) holds from a 1 MiB-aligned start`}
}
