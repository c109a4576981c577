/**
 * Live kernel settings read from /proc/sys (what `sysctl -n` reports), by their dotted names.
 * Only names made of plain words are read; the value is what the kernel holds now, not a file's.
 */
import {shq, type Fact} from './fact.js'

/** Dotted name to value; undefined: the kernel has no such setting. */
export type SysctlValues = Record<string, string | undefined>

export function sysctlFact(names: readonly string[]): Fact<SysctlValues> {
  for (const n of names) if (!/^[a-z0-9_]+(\.[a-z0-9_]+)+$/.test(n)) throw new Error(`not a sysctl name: ${n}`)
  return {
    command: `for n in ${names.map(shq).join(' ')}; do f=/proc/sys/$(echo "$n" | tr . /); if [ -r "$f" ]; then printf '%s=%s\\n' "$n" "$(cat "$f")"; else printf '%s?\\n' "$n"; fi; done`,
    parse: (stdout) => parseSysctl(stdout, names),
  }
}

export function parseSysctl(stdout: string, names: readonly string[]): SysctlValues {
  const out: SysctlValues = Object.fromEntries(names.map((n) => [n, undefined]))
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0 && names.includes(line.slice(0, eq))) out[line.slice(0, eq)] = line.slice(eq + 1).trim()
  }
  return out
}
