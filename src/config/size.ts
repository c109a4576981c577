/**
 * Sizes as the cluster file writes them (`512M`, `10G`, `1.5T`): binary units, so `10G` is 10 GiB,
 * the way fdisk, lvm and DRBD read them. A bare number is bytes.
 */
import {SIZE_RE} from './schema.js'

const UNIT: Record<string, number> = {'': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40}

/** Bytes, or undefined when the text is not a size. */
export function parseSize(text: string): number | undefined {
  const trimmed = text.trim()
  if (!SIZE_RE.test(trimmed)) return undefined
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
