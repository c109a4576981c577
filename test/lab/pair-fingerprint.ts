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
 */
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

export async function pairFingerprint(): Promise<PairFingerprint> {
  const out: PairFingerprint = {}
  for (const {name} of GUESTS) {
    await on(name, 'sync')
    out[name] = {}
    for (const [key, command] of Object.entries(PER_NODE)) out[name][key] = await on(name, command)
    if ((await on(name, 'findmnt -n -o SOURCE /data || true')) === '/dev/drbd0') {
      for (const [key, command] of Object.entries(ON_PRIMARY)) out[name][key] = await on(name, command)
    }
  }
  return out
}
