/**
 * Sizes as the cluster file writes them (`512M`, `10G`, `10GiB`, `1.5T`): binary units, so `10G`
 * and `10GiB` are 10 GiB, the way fdisk, lvm and DRBD read them. A bare number is bytes.
 * `10GB` is refused, not guessed: parted reads GB as 10^9 bytes, hapair's G as 2^30, and the
 * two differ by 7% (sizeAmbiguity says so with the fix).
 */
import {SIZE_RE} from './schema.js'

const UNIT: Record<string, number> = {'': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40}

/** An SI-looking unit (`10GB`, `512MB`, `1kB`): kilo, mega... with a B and no i. */
const SI_UNIT = /^(\d+(?:\.\d+)?)\s*([kKMGT])B$/

/** Why a size is ambiguous and what to write instead, or undefined when it is not. */
export function sizeAmbiguity(text: string): {message: string; fix: string} | undefined {
  const m = SI_UNIT.exec(text.trim())
  if (!m) return undefined
  const unit = m[2].toUpperCase()
  return {
    message: `"${text.trim()}" is ambiguous: ${unit}B means 10^${{K: 3, M: 6, G: 9, T: 12}[unit]} bytes to parted, while hapair's sizes are binary`,
    fix: `write ${m[1]}${unit} or ${m[1]}${unit}iB for ${m[1]} ${unit}iB (${Math.floor(Number(m[1]) * UNIT[unit])} bytes)`,
  }
}

/** Bytes, or undefined when the text is not a size (an ambiguous `10GB` is not one). */
export function parseSize(text: string): number | undefined {
  const trimmed = text.trim()
  if (!SIZE_RE.test(trimmed) || sizeAmbiguity(trimmed)) return undefined
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtKMGT]?)/.exec(trimmed)!
  const bytes = Math.floor(Number(m[1]) * UNIT[m[2].toUpperCase()])
  return Number.isFinite(bytes) ? bytes : undefined
}

/** Largest whole binary unit that keeps the number short: 10737418240 -> "10G", 1610612736 -> "1.5G". */
export function formatSize(bytes: number): string {
  for (const unit of ['T', 'G', 'M', 'K'] as const) {
    const value = bytes / UNIT[unit]
    if (value >= 1) return `${Number.isInteger(value) ? value : Number(value.toFixed(1))}${unit}`
  }
  return `${bytes}`
}
