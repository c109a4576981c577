import {shq} from '../../facts/fact.js'

/**
 * Shell lines that stop a destructive command when the device holds any signature now, checked
 * again right before it runs (facts may be seconds old). wipefs, not `blkid -p`: on a partition
 * blkid also prints the partition-table entry (PART_ENTRY_*) and exits 0 on a blank partition.
 */
export function blankGuard(device: string, refusing: string): string {
  return `sig=$(wipefs --noheadings --output TYPE -- ${shq(device)} 2>&1) || { echo "cannot probe ${device}: $sig" >&2; exit 1; }
if [ -n "$sig" ]; then echo "${refusing}: ${device} is not blank any more (found: $(echo $sig))" >&2; exit 1; fi
`
}
