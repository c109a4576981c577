/**
 * The drill's numbered records and the accounting of what survived. A record is one line,
 * `seq,timestamp,payload,sha256`, where sha256 covers `seq,timestamp,payload`: a record can be
 * checked on its own, and the writer keeps the hash of each acknowledged one to compare with what
 * the serving node holds afterwards.
 */
import {createHash} from 'node:crypto'
import {shq} from '../facts/fact.js'

export interface WriteRecord {
  seq: number
  content: string
  /** sha256 of the whole file content (what `sha256sum` prints). */
  sha256: string
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

export const recordName = (seq: number): string => `rec-${String(seq).padStart(6, '0')}`

export function makeRecord(seq: number, at: Date, payload: Buffer): WriteRecord {
  const body = `${seq},${at.toISOString()},${payload.toString('hex')}`
  const content = `${body},${sha256(body)}\n`
  return {seq, content, sha256: sha256(content)}
}

/** A record read back is intact when its own checksum matches and it carries the expected number. */
export function recordIntact(content: string, seq: number): boolean {
  const m = /^(\d+),([^,]+),([0-9a-f]*),([0-9a-f]{64})\n?$/.exec(content)
  return Boolean(m && Number(m[1]) === seq && sha256(`${m[1]},${m[2]},${m[3]}`) === m[4])
}

/** One remote call on the serving node: the sha256 of every record file in the drill directory. */
export function listingScript(dir: string): string {
  return `cd ${shq(dir)}\nfind . -maxdepth 1 -type f -name 'rec-*' -exec sha256sum {} +`
}

/** `sha256sum` output (`<hash>  ./rec-000123`) -> hash by record number. */
export function parseListing(stdout: string): Map<number, string> {
  const found = new Map<number, string>()
  for (const line of stdout.split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(?:\.\/)?rec-(\d+)$/.exec(line.trim())
    if (m) found.set(Number(m[2]), m[1])
  }
  return found
}

/** Which acknowledged records are missing and which are present but differ. */
export function accountWrites(acked: ReadonlyMap<number, string>, found: ReadonlyMap<number, string>): {lost: number[]; corrupted: number[]} {
  const lost: number[] = []
  const corrupted: number[] = []
  for (const [seq, hash] of [...acked].sort((a, b) => a[0] - b[0])) {
    const got = found.get(seq)
    if (got === undefined) lost.push(seq)
    else if (got !== hash) corrupted.push(seq)
  }
  return {lost, corrupted}
}

/** `1-3, 7, 9-10`: a short form of many record numbers for reports. */
export function formatSeqs(seqs: number[], max = 12): string {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b)
  const ranges: string[] = []
  for (let i = 0; i < sorted.length; ) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++
    ranges.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`)
    i = j + 1
  }
  return ranges.length > max ? `${ranges.slice(0, max).join(', ')}, ... (${sorted.length} in all)` : ranges.join(', ')
}
