/**
 * "Did you mean" for misspelt keys and values. Compares case- and separator-blind first, so
 * `mount_point` finds `mountPoint` and `Virtual-Router-ID` finds `virtualRouterId`.
 */

export function levenshtein(a: string, b: string): number {
  let prev = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length]
}

const fold = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '')

/** The closest candidate, or undefined when none is close enough to be a plausible typo. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const folded = fold(input)
  const exact = candidates.find((c) => fold(c) === folded)
  if (exact) return exact
  let best: {candidate: string; distance: number} | undefined
  for (const candidate of candidates) {
    const distance = levenshtein(folded, fold(candidate))
    if (!best || distance < best.distance) best = {candidate, distance}
  }
  // A third of the word may be wrong, at least 2 letters (typos in short keys like `prot`).
  // Never when nothing is shared (`D` is not a typo of `A`).
  if (best && best.distance < folded.length && best.distance <= Math.max(2, Math.floor(folded.length / 3))) return best.candidate
  // An abbreviation: the letters in order, same first letter (`iface` -> `interface`, `mount` -> `mountPoint`).
  if (folded.length < 3) return undefined
  return candidates.filter((c) => fold(c)[0] === folded[0] && isSubsequence(folded, fold(c))).sort((a, b) => a.length - b.length)[0]
}

function isSubsequence(short: string, long: string): boolean {
  let i = 0
  for (const ch of long) if (ch === short[i]) i++
  return i === short.length
}
