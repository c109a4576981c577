/**
 * storage.partition: the configured partition on `storage.disk`, on both nodes, with equal sizes.
 *
 * Acts only on a blank disk (no partitions, no signatures besides an empty label). A disk holding
 * anything else is refused with a list of what was found on which node; `--wipe` allows wiping it
 * (the change names everything that is lost), except a disk in use (mounted, swap, held, attached),
 * which is refused even then. Sizes: see targetBytes; a size larger than a disk stops everything
 * before any change.
 */
import type {Change, Plan, Step, StepContext} from '../../engine/step.js'
import {RefusalError} from '../../errors.js'
import {shq, factSet} from '../../facts/fact.js'
import {ALIGNMENT_BYTES, diskFact, formatBytes, partitionPath, sizeBytes, type DiskInfo} from '../../facts/disks.js'
import {classifyDisk, describeContents, describeUses, sameSize, targetBytes, usableBytes, type DiskState} from './disk-plan.js'
import {requireStorage} from './require.js'

type Facts = {disk: DiskInfo}

/** dos labels hold four primary partitions; hapair creates primaries only. */
const DOS_MAX_PRIMARY = 4
const DOS_MAX_BYTES = 2 ** 41 // 2 TiB with 512-byte sectors

export const partitionStep: Step<Facts> = {
  id: 'storage.partition',
  title: 'Partition the DRBD disk',
  facts: (ctx) => factSet({disk: diskFact(requireStorage(ctx.config).disk)}),
  plan: planPartition,
}

export function planPartition(ctx: StepContext, facts: Record<string, Facts>): Plan {
  const storage = requireStorage(ctx.config)
  const {number} = storage.partition
  const states = ctx.nodes.map((node) => {
    const info = facts[node.name].disk
    return {node: node.name, info, state: classifyDisk(info, number)}
  })
  const size = storage.partition.size === 'rest' ? 'rest' : sizeBytes(storage.partition.size)
  const target = targetBytes(size, states)
  const notes: string[] = [`partition ${number} size: ${target.why}`]
  const problems: string[] = []
  const changes: Change[] = []

  for (const {node, info, state} of states) {
    const where = `${node}:${storage.disk}`
    if (state.kind === 'missing') {
      problems.push(`${where} does not exist (no such block device; check storage.disk and \`lsblk\` on ${node})`)
      continue
    }
    if (state.kind === 'has' && sameSize(state.entry.bytes, target.bytes)) {
      notes.push(`${where}: ${state.entry.node} is ${formatBytes(state.entry.bytes)} as wanted (${info.table?.label} label)`)
      if (!state.visible) {
        changes.push({kind: 'command', node, title: `make the kernel see ${state.entry.node}`, script: rescanScript(storage.disk, state.entry.node)})
      }
      continue
    }
    // From here on the disk would be written: it must not be in use, even with --wipe.
    const uses = describeUses(info)
    if (uses.length > 0) {
      problems.push(`${where} is in use, so hapair will not partition it, even with --wipe: ${uses.join('; ')}`)
      continue
    }
    if (!info.busyChecked) notes.push(`${node}: neither perl nor python3 is there to test ${storage.disk} for kernel users; mounts, swap and holders were checked`)
    const wiping = state.kind === 'occupied' || state.kind === 'has'
    if (wiping && !ctx.options.wipe) {
      problems.push(`${where} is not blank: ${whatIsThere(state, info, target.bytes).join('; ')}`)
      continue
    }
    // A wiped disk gets gpt; a blank one keeps its (empty) label's type.
    const label = state.kind === 'blank' ? (state.label ?? 'gpt') : 'gpt'
    const usable = wiping ? usableBytes({...info, table: null}) : usableBytes(info)
    if (target.bytes > usable) {
      problems.push(`${where}: partition ${number} would be ${formatBytes(target.bytes)} but the disk has ${formatBytes(usable)} usable`)
      continue
    }
    if (target.bytes <= 0) {
      problems.push(`${where}: no room for partition ${number}`)
      continue
    }
    if (label === 'dos' && (number > DOS_MAX_PRIMARY || target.bytes > DOS_MAX_BYTES)) {
      problems.push(`${where} has an empty dos label: it holds primary partitions 1-4 up to 2 TiB; relabel it gpt (\`--wipe\`) or pick another number/size`)
      continue
    }
    if (wiping) {
      changes.push({
        kind: 'command',
        node,
        title: `wipe ${storage.disk}`,
        script: wipeScript(storage.disk, info.kernelPartitions),
        destroys: `${where}: ${describeContents(info).join('; ')}`,
      })
    }
    const partNode = partitionPath(storage.disk, number)
    changes.push({
      kind: 'command',
      node,
      title: `create ${partNode} (${formatBytes(target.bytes)}, ${label} label)`,
      script: createScript(storage.disk, partNode, label, number, target.bytes, info.sectorSize),
    })
  }
  if (problems.length > 0) {
    const wipeable = problems.some((p) => p.includes('is not blank'))
    throw new RefusalError(
      `storage.partition changed nothing:\n  - ${problems.join('\n  - ')}`,
      wipeable ? 'if that data can go, re-run with --wipe (hapair lists what will be lost and asks before wiping)' : undefined,
    )
  }
  return {changes, notes}
}

function whatIsThere(state: DiskState, info: DiskInfo, target: number): string[] {
  if (state.kind === 'has') {
    return [`partition ${state.entry.node} is ${formatBytes(state.entry.bytes)}, not ${formatBytes(target)} (hapair does not resize partitions)`, ...describeContents(info)]
  }
  return state.kind === 'occupied' ? state.found : []
}

/** Signatures of every partition first (they would reappear in a new partition at the same offset), then the disk's. */
export function wipeScript(disk: string, partitions: string[]): string {
  return `d=${shq(disk)}
for p in ${partitions.map(shq).join(' ')}; do [ -b "$p" ] && wipefs -a "$p"; done
wipefs -a "$d"
partx -d "$d" 2>/dev/null || true
`
}

/**
 * sfdisk with an explicit start (1 MiB) and size in sectors, so both nodes get the same partition
 * whatever their disks' sizes; then partx (BLKPG, works where a full re-read is refused) and a wait
 * for the device node, which the step's re-read checks again.
 */
export function createScript(disk: string, partNode: string, label: string, number: number, bytes: number, sectorSize: number): string {
  const start = ALIGNMENT_BYTES / sectorSize
  const sectors = Math.floor(bytes / sectorSize)
  // sfdisk numbers partitions in input order unless a line names its device.
  const line = `${number === 1 ? '' : `${partNode} : `}start=${start}, size=${sectors}, type=L`
  return `d=${shq(disk)}; p=${shq(partNode)}
printf '%s\\n' ${shq(`label: ${label}`)} ${shq(line)} | sfdisk -q "$d"
${rescanBody()}`
}

function rescanScript(disk: string, partNode: string): string {
  return `d=${shq(disk)}; p=${shq(partNode)}\n${rescanBody()}`
}

function rescanBody(): string {
  return `partx -u "$d" 2>/dev/null || partx -a "$d" 2>/dev/null || true
if command -v udevadm >/dev/null 2>&1; then udevadm settle --timeout=10 || true; fi
i=0; while [ ! -b "$p" ] && [ "$i" -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
[ -b "$p" ] || { echo "$p did not appear after partitioning $d" >&2; exit 1; }
`
}

