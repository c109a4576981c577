/**
 * The wizard's checks of answers against what it read from the nodes (discover.ts), so a typo is
 * refused at the question instead of at the first `hapair run`. Pure: each returns true or the
 * reason, and says nothing about a node it could not read (answering for it would be guessing).
 */
import {isIPv4} from '../config/net.js'
import {formatSize, parseSize} from '../config/size.js'
import type {DiskCandidate, Nic} from './discover.js'

type NodeNics = {name: string; nics?: Nic[]}
type NodeDisks = {name: string; disks?: DiskCandidate[]}

/** Room a partition table takes besides the partition (GPT: 1 MiB alignment in front, a backup table at the end). */
const TABLE_OVERHEAD = 2 * 2 ** 20

/** The VIP's interface must exist, with an IPv4 address, on every node that was read. */
export function checkInterfaceAnswer(name: string, nodes: NodeNics[]): true | string {
  const missing = nodes.filter((n) => n.nics && !n.nics.some((nic) => nic.name === name && nic.addresses.length > 0))
  if (missing.length === 0) return true
  return missing.map((n) => `${n.name} has no interface ${name} with an IPv4 address (it has: ${withIPv4(n.nics!).join(', ') || 'none'})`).join('; ')
}

function withIPv4(nics: Nic[]): string[] {
  return nics.filter((nic) => nic.addresses.length > 0).map((nic) => nic.name)
}

/**
 * A typed disk path must be a whole disk on every node that was read. A /dev/disk/by-* link is
 * not in lsblk's list under that name, so it is let through (the partition step checks it).
 */
export function checkDiskAnswer(path: string, nodes: NodeDisks[]): true | string {
  if (path.startsWith('/dev/disk/')) return true
  const problems: string[] = []
  for (const n of nodes) {
    if (!n.disks) continue
    const disk = n.disks.find((d) => d.path === path)
    if (!disk) problems.push(`${path} is not a disk on ${n.name} (its disks: ${n.disks.map((d) => d.path).join(', ') || 'none'})`)
    else if (disk.root) problems.push(`${path} holds ${n.name}'s root filesystem`)
  }
  return problems.length ? problems.join('; ') : true
}

/** A partition size must fit the disk on each node that was read. */
export function checkSizeAnswer(size: string, path: string, nodes: NodeDisks[]): true | string {
  if (size === 'rest') return true
  const bytes = parseSize(size)
  if (bytes === undefined) return true // the size's own check speaks
  for (const n of nodes) {
    const disk = n.disks?.find((d) => d.path === path)
    if (disk && bytes + TABLE_OVERHEAD > disk.sizeBytes) {
      return `${size} does not fit ${path} on ${n.name} (${formatSize(disk.sizeBytes)}, less 2M for the partition table); use a smaller size or rest`
    }
  }
  return true
}

/** The IPv4 addresses a node holds (up, not loopback) to offer for its `ip`, and a check that the answer is one of them. */
export function nodeIpChoices(label: string, nics: Nic[] | undefined): {choices: string[]; check: (v: string) => true | string} {
  const choices = (nics ?? []).filter((n) => n.up && n.name !== 'lo').flatMap((n) => n.addresses.map((a) => a.address)).filter((a) => !a.startsWith('127.'))
  return {
    choices,
    check: (v) => (!isIPv4(v) ? 'an IPv4 address like 192.168.1.151' : nics && !choices.includes(v) ? `${label} does not hold ${v} (it has: ${choices.join(', ') || 'no IPv4 address'})` : true),
  }
}
