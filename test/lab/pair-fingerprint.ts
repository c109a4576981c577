/**
 * What "the guests are back at the saved moment" means for the checkpoint proof, as checksums
 * read inside the guests: per node the partition table, DRBD's connection/role/disk state and
 * its generation identifiers (the same UUIDs mean no resync and no new data generation), and on
 * the node with /data mounted every file under /data. `sync` first and direct reads, so nothing
 * still in a guest's page cache is missed.
 *
 * Not the replicated block device as a whole: a freshly made ext4 keeps changing it by itself
 * while mounted (ext4lazyinit zeroes inode tables in the background; the first suite run saw
 * only that checksum differ between the save and the restore).
 *
 * One script per node, both nodes at once: each command over its own SSH session cost about a
 * second under emulation, and the proof reads the pair five times.
 */
import assert from 'node:assert/strict'
import {GUESTS} from '../../src/lab/index.js'
import {onGuest as on} from './lab-suite.js'

export type PairFingerprint = Record<string, Record<string, string>>

const PER_NODE = {
  partitionTable: 'dd if=/dev/vdb bs=1M count=1 iflag=direct status=none | sha256sum',
  drbd: "sed -n 's/.*\\(cs:[^ ]* ro:[^ ]* ds:[^ ]*\\).*/\\1/p' /proc/drbd",
  generations: 'drbdadm get-gi r0 2>&1',
}
const ON_PRIMARY = {
  dataFiles: 'cd /data && find . -xdev -type f -print0 | sort -z | xargs -0 -r sha256sum | sha256sum',
}

const MARK = '@@fingerprint '

/** The script: each value under a marker line; the /data ones only where /data is the DRBD device. */
export function fingerprintScript(): string {
  const part = ([key, command]: [string, string]) => `echo '${MARK}${key}'; ( ${command} ) || true`
  return [
    'sync',
    ...Object.entries(PER_NODE).map(part),
    `if [ "$(findmnt -n -o SOURCE /data || true)" = /dev/drbd0 ]; then`,
    ...Object.entries(ON_PRIMARY).map(part),
    'fi',
  ].join('\n')
}

/** Splits the script's output back into its values (trimmed). */
export function parseFingerprint(out: string): Record<string, string> {
  const values: Record<string, string> = {}
  let key: string | undefined
  for (const line of out.split('\n')) {
    if (line.startsWith(MARK)) values[(key = line.slice(MARK.length))] = ''
    else if (key !== undefined) values[key] += (values[key] ? '\n' : '') + line
  }
  for (const k of Object.keys(values)) values[k] = values[k].trim()
  assert.deepEqual(Object.keys(values).slice(0, 3), Object.keys(PER_NODE), `a fingerprint value is missing:\n${out}`)
  return values
}

export async function pairFingerprint(): Promise<PairFingerprint> {
  const read = await Promise.all(GUESTS.map(async ({name}) => [name, parseFingerprint(await on(name, fingerprintScript()))] as const))
  return Object.fromEntries(read)
}
