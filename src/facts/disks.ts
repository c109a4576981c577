/**
 * What a disk holds, read without changing it: size, partition table, every signature libblkid
 * knows (filesystems, LVM, RAID, swap, DRBD metadata) on the disk and on each partition, and
 * whether anything uses it (mounts, holders, swap, or an exclusive open by the kernel such as an
 * attached DRBD device). The partition step refuses to touch a disk unless this says it is blank.
 *
 * Signatures come from `wipefs -J`, not from lsblk's FSTYPE: lsblk reads the udev database, which
 * is missing or stale on hosts without udev and right after a change; wipefs probes the device and
 * lists every signature, not just the first one.
 */
import {parseSize} from '../config/size.js'
import {shq, type Fact} from './fact.js'

export interface Signature {
  /** Device path the signature was found on, e.g. /dev/vdb1. */
  device: string
  /** libblkid type: ext4, xfs, LVM2_member, linux_raid_member, swap, drbd, gpt, PMBR, dos, ... */
  type: string
  label: string | null
  uuid: string | null
  offset: string
}

export interface PartitionEntry {
  /** Partition device path as sfdisk names it (/dev/vdb1, /dev/nvme0n1p1). */
  node: string
  number: number
  /** Start and length in sectors of `sectorSize` bytes. */
  start: number
  sectors: number
  bytes: number
  type: string
}

export interface PartitionTable {
  label: string
  sectorSize: number
  /** Last usable sector (gpt: before the backup header); null when sfdisk does not say (dos). */
  lastLba: number | null
  partitions: PartitionEntry[]
}

export type UseKind = 'mount' | 'holder' | 'swap' | 'busy'

export interface DiskUse {
  device: string
  kind: UseKind
  /** Mount point, holder name; empty for swap/busy. */
  detail: string
}

export interface DiskInfo {
  /** The path as configured (may be a /dev/disk/by-id/ link). */
  path: string
  /** The kernel's path of the disk (/dev/sdb), which signatures and users are reported against. */
  kernelPath: string
  exists: boolean
  /** Bytes. */
  size: number
  /** Logical sector size in bytes. */
  sectorSize: number
  /** Partition device paths the kernel currently knows (lsblk children). */
  kernelPartitions: string[]
  /** On-disk partition table; null when there is none. */
  table: PartitionTable | null
  signatures: Signature[]
  uses: DiskUse[]
  /** False when neither perl nor python3 was there to test for an exclusive (kernel) user. */
  busyChecked: boolean
}

const MIB = 1024 * 1024

/**
 * The partition device path for a disk and partition number, as the kernel and udev name it:
 * /dev/sdb -> /dev/sdb1, /dev/nvme0n1 -> /dev/nvme0n1p1 (names ending in a digit get a "p"),
 * /dev/disk/by-id/X -> /dev/disk/by-id/X-part1 (udev's symlink convention).
 */
export function partitionPath(disk: string, number: number): string {
  if (/^\/dev\/disk\/by-[a-z]+\//.test(disk)) return `${disk}-part${number}`
  return /\d$/.test(disk) ? `${disk}p${number}` : `${disk}${number}`
}

/** Bytes of a cluster-file size (`10G`); throws on text the schema would have rejected. */
export function sizeBytes(size: string): number {
  const bytes = parseSize(size)
  if (bytes === undefined) throw new Error(`"${size}" is not a size like 512M or 10G`)
  return bytes
}

/** 10737418240 -> "10 GiB", 1610612736 -> "1.5 GiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let i = 0
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024
    i++
  }
  return `${Number.isInteger(value) ? value : value.toFixed(value < 10 ? 2 : 1).replace(/\.?0+$/, '')} ${units[i]}`
}

export const ALIGNMENT_BYTES = MIB

/** Types that only describe the partition table itself (present on any labelled disk). */
export const TABLE_SIGNATURES = new Set(['gpt', 'PMBR', 'dos'])

/** Readable name of what a signature means for the data on it. */
export function describeSignature(sig: Signature): string {
  const named = [sig.label ? `'${sig.label}'` : '', sig.uuid ? `(UUID ${sig.uuid})` : ''].filter(Boolean).join(' ')
  const what: Record<string, string> = {
    LVM2_member: 'LVM physical volume',
    linux_raid_member: 'RAID member',
    swap: 'swap area',
    drbd: 'DRBD metadata',
    gpt: 'gpt partition table',
    PMBR: 'protective MBR',
    dos: 'dos partition table',
    crypto_LUKS: 'LUKS encrypted volume',
    zfs_member: 'ZFS pool member',
    bcache: 'bcache device',
    ceph: 'Ceph volume',
  }
  const base = what[sig.type] ?? `${sig.type} filesystem`
  return named ? `${base} ${named}` : base
}

const M = '@@disk'

/** One read-only script: lsblk, sfdisk -J, then per device (disk and partitions) wipefs -J and its users. */
export function diskFact(disk: string): Fact<DiskInfo> {
  return {
    command: `d=${shq(disk)}
if [ ! -b "$d" ]; then echo '${M} missing'; exit 0; fi
echo '${M} lsblk'
lsblk -J -b -o NAME,KNAME,TYPE,SIZE,RO,PTTYPE,FSTYPE,LABEL,UUID,MOUNTPOINT,MAJ:MIN,LOG-SEC -- "$d"
echo '${M} sfdisk'
sfdisk -J -- "$d" 2>&1; echo "${M} sfdisk-rc $?"
if command -v perl >/dev/null 2>&1; then busy=perl; elif command -v python3 >/dev/null 2>&1; then busy=python3; else busy=; echo '${M} nobusycheck'; fi
lsblk -nrpo NAME,TYPE -- "$d" | awk 'NR==1 || $2=="part" {print $1}' | while read -r p; do
  echo "${M} wipefs $p"
  wipefs -J -- "$p" 2>&1
  echo '${M} end'
  n=$(basename "$(readlink -f "$p")")
  mm=$(cat "/sys/class/block/$n/dev" 2>/dev/null)
  awk -v mm="$mm" -v p="$p" '$3==mm {print "${M} use mount " p " " $5}' /proc/self/mountinfo
  for h in "/sys/class/block/$n/holders/"*; do [ -e "$h" ] && echo "${M} use holder $p \${h##*/}"; done
  awk -v r="$(readlink -f "$p")" -v p="$p" 'NR>1 && $1==r {print "${M} use swap " p}' /proc/swaps
  # An exclusive open fails (EBUSY) while the kernel holds the device: mounted, swap, RAID, LVM, DRBD attached.
  case "$busy" in
    perl) perl -MFcntl -e 'sysopen(my $f, $ARGV[0], O_RDONLY|O_EXCL) or print "\\@\\@disk use busy $ARGV[0]\\n"' "$p" ;;
    python3) python3 -c 'import os, sys
try: os.close(os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL))
except OSError: print("${M} use busy " + sys.argv[1])' "$p" ;;
  esac
done`,
    parse: (stdout) => parseDiskOutput(disk, stdout),
  }
}

export function parseDiskOutput(disk: string, stdout: string): DiskInfo {
  const info: DiskInfo = {path: disk, kernelPath: disk, exists: true, size: 0, sectorSize: 512, kernelPartitions: [], table: null, signatures: [], uses: [], busyChecked: true}
  let section = ''
  let buffer: string[] = []
  let wipefsDevice = ''
  const flush = () => {
    const text = buffer.join('\n')
    if (section === 'lsblk') Object.assign(info, fromLsblk(parseLsblk(text)))
    else if (section === 'sfdisk') info.table = parseSfdisk(text)
    else if (section === 'wipefs') info.signatures.push(...parseWipefs(text, wipefsDevice))
    buffer = []
    section = ''
  }
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(`${M} `)) {
      buffer.push(line)
      continue
    }
    const [word, ...rest] = line.slice(M.length + 1).split(' ')
    if (word === 'missing') return {...info, exists: false}
    if (word === 'use') {
      const [kind, device, ...detail] = rest
      info.uses.push({kind: kind as UseKind, device, detail: unescapeMount(detail.join(' '))})
      continue
    }
    if (word === 'nobusycheck') {
      info.busyChecked = false
      continue
    }
    if (word === 'sfdisk-rc') {
      // rc 1 with "does not contain a recognized partition table": no table, which parseSfdisk already returns.
      flush()
      continue
    }
    flush()
    section = word
    if (word === 'wipefs') wipefsDevice = rest.join(' ')
  }
  flush()
  return info
}

export interface LsblkDevice {
  name: string
  kname: string
  type: string
  size: number
  pttype: string | null
  fstype: string | null
  label: string | null
  uuid: string | null
  mountpoint: string | null
  logSec: number
  children: LsblkDevice[]
}

/** `lsblk -J -b -o ...`; util-linux before 2.33 prints numbers as strings, so everything goes through Number(). */
export function parseLsblk(text: string): LsblkDevice[] {
  const json = extractJson(text)
  if (!json) return []
  const conv = (d: any): LsblkDevice => ({
    name: String(d.name),
    kname: String(d.kname ?? d.name),
    type: String(d.type),
    size: Number(d.size),
    pttype: d.pttype ?? null,
    fstype: d.fstype ?? null,
    label: d.label ?? null,
    uuid: d.uuid ?? null,
    mountpoint: d.mountpoint ?? null,
    logSec: Number(d['log-sec'] ?? 512),
    children: Array.isArray(d.children) ? d.children.map(conv) : [],
  })
  return (JSON.parse(json).blockdevices ?? []).map(conv)
}

function fromLsblk(devices: LsblkDevice[]): Partial<DiskInfo> {
  const disk = devices[0]
  if (!disk) return {}
  return {
    size: disk.size,
    sectorSize: disk.logSec,
    kernelPartitions: disk.children.filter((c) => c.type === 'part').map((c) => `/dev/${c.kname}`),
  }
}

/** `sfdisk -J DISK`; null when the disk has no partition table. */
export function parseSfdisk(text: string): PartitionTable | null {
  const json = extractJson(text)
  if (!json) return null
  const t = JSON.parse(json).partitiontable
  if (!t) return null
  const sectorSize = Number(t.sectorsize ?? 512)
  return {
    label: String(t.label),
    sectorSize,
    lastLba: t.lastlba === undefined ? null : Number(t.lastlba),
    partitions: (t.partitions ?? []).map((p: any) => ({
      node: String(p.node),
      number: Number(/(\d+)$/.exec(String(p.node))?.[1] ?? 0),
      start: Number(p.start),
      sectors: Number(p.size),
      bytes: Number(p.size) * sectorSize,
      type: String(p.type ?? ''),
    })),
  }
}

/** `wipefs -J DEV`: every signature on one device. wipefs names devices without /dev/, so the path is passed in. */
export function parseWipefs(text: string, device: string): Signature[] {
  const json = extractJson(text)
  if (!json) return []
  return (JSON.parse(json).signatures ?? []).map((s: any) => ({
    device,
    type: String(s.type),
    label: s.label ?? null,
    uuid: s.uuid ?? null,
    offset: String(s.offset ?? ''),
  }))
}

/** The JSON object in a tool's output, skipping warnings printed around it (stderr is merged into facts). */
export function extractJson(text: string): string | null {
  const start = text.indexOf('{')
  const end = text.lastIndexOf('}')
  return start >= 0 && end > start ? text.slice(start, end + 1) : null
}

/** /proc/self/mountinfo escapes space, tab, newline and backslash as octal. */
export function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)))
}

export interface DeviceSignatures {
  exists: boolean
  /** False when the device could not be opened (a DRBD device on a Secondary refuses reads). */
  readable: boolean
  signatures: Signature[]
  /** What wipefs said when it could not read the device. */
  error?: string
}

/** One device's signatures (the DRBD backing partition, /dev/drbdN). Never throws: unreadable is a fact too. */
export function signaturesFact(device: string): Fact<DeviceSignatures> {
  return {
    command: `d=${shq(device)}; if [ -b "$d" ]; then wipefs -J -- "$d" 2>&1; else echo '${M} missing'; fi`,
    parse(stdout, code) {
      if (stdout.includes(`${M} missing`)) return {exists: false, readable: false, signatures: []}
      if (code !== 0) return {exists: true, readable: false, signatures: [], error: stdout.trim()}
      return {exists: true, readable: true, signatures: parseWipefs(stdout, device)}
    },
  }
}
