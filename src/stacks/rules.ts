/** Small helpers the stacks' cluster-file rules share with config/validate.ts. */
import type {ConfigProblem} from '../errors.js'

/** One problem per value seen before, naming where it was first used. */
export function duplicateValues(entries: {path: string; value: string | undefined}[], what: string, fix: string): ConfigProblem[] {
  const first = new Map<string, string>()
  const out: ConfigProblem[] = []
  for (const {path, value} of entries) {
    if (value === undefined) continue
    const earlier = first.get(value)
    if (earlier) out.push({path, message: `${what} ${value} is already used by ${earlier.replace(/\.[^.]+$/, '')}`, fix})
    else first.set(value, path)
  }
  return out
}
