/**
 * Turns zod's issues into problems a person can act on: the path as written in the file
 * (`nodes[1].address`), what is wrong in plain words, and a fix with an example to paste.
 */
import {z, type ZodIssue, type ZodTypeAny} from 'zod'
import {didYouMean} from './did-you-mean.js'
import {exampleFor, exampleLine, fixFor, lastKey} from './hints.js'
import {formatPath, type PathSegment} from './yaml-positions.js'

export interface LocatedProblem {
  segments: PathSegment[]
  /** What the position should point at: the value, the map lacking a key, or an unknown key. */
  anchor: 'value' | 'missing' | 'key'
  message: string
  fix: string
  /** For an unknown key: the known key it probably meant. */
  meant?: string
}

/** Keys that look like secrets: these never belong in the cluster file. */
const SECRET_KEY = /pass(word)?|secret|authkey|auth_?key|token/i

export function issuesToProblems(schema: ZodTypeAny, issues: readonly ZodIssue[], data: unknown): LocatedProblem[] {
  const problems = issues.flatMap((issue) => issueToProblems(schema, issue, data))
  // `adress` unknown and `address` missing are one mistake: keep the did-you-mean, drop the "missing".
  const meant = new Set(problems.filter((p) => p.meant).map((p) => formatPath([...p.segments.slice(0, -1), p.meant!])))
  return problems.filter((p) => !(p.anchor === 'missing' && meant.has(formatPath(p.segments))))
}

function issueToProblems(root: ZodTypeAny, issue: ZodIssue, data: unknown): LocatedProblem[] {
  const segments = issue.path
  const path = formatPath(segments)
  const value = valueAt(data, segments)
  const own = schemaAt(root, segments)
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey(root, segments, key))
    case 'invalid_type': {
      if (issue.received === 'undefined') {
        const example = exampleLine(path)
        const where = segments.length > 1 ? ` under \`${formatPath(segments.slice(0, -1))}\`` : ''
        return [{segments, anchor: 'missing', message: 'is missing', fix: example ? `add ${example}${where}` : `add \`${lastKey(path)}\`${where}`}]
      }
      return [{segments, anchor: 'value', message: `must be ${article(issue.expected)}, not ${article(issue.received)}`, fix: typeFix(path, issue.expected, value)}]
    }
    case 'invalid_enum_value': {
      const options = issue.options.map(String)
      const guess = typeof value === 'string' ? didYouMean(value, options) : undefined
      return [
        {
          segments,
          anchor: 'value',
          message: `${JSON.stringify(value)} ${isDefaultMessage(issue.message) ? `must be one of ${options.join(', ')}` : issue.message}`,
          fix: guess ? `did you mean \`${lastKey(path)}: ${guess}\`?` : `use one of: ${options.join(', ')}`,
        },
      ]
    }
    case 'invalid_union':
      return unionProblems(root, issue, data)
    case 'invalid_string':
      return [{segments, anchor: 'value', message: `${JSON.stringify(value)} ${isDefaultMessage(issue.message) ? 'is not valid here' : issue.message}`, fix: valueFix(path)}]
    case 'too_small':
    case 'too_big': {
      if (issue.type === 'array') {
        return [{segments, anchor: 'value', message: isDefaultMessage(issue.message) ? `needs at least ${issue.code === 'too_small' ? issue.minimum : 0} entries` : issue.message, fix: valueFix(path)}]
      }
      if (issue.type === 'string') {
        const limit = issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`
        const message = issue.code === 'too_small' && issue.minimum === 1 ? 'must not be empty' : `must be ${limit} characters long`
        return [{segments, anchor: 'value', message, fix: valueFix(path)}]
      }
      const range = numberRange(own)
      const message = isDefaultMessage(issue.message) ? `must be ${range ?? (issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`)}` : issue.message
      const within = range ? (/^\d+-\d+$/.test(range) ? `from ${range.replace('-', ' to ')}` : `of ${range}`) : 'in range'
      return [{segments, anchor: 'value', message: `${String(value)} is out of range: ${message}`, fix: `use a whole number ${within}${exampleFor(path) ? `, e.g. \`${lastKey(path)}: ${exampleFor(path)}\`` : ''}`}]
    }
    default:
      return [{segments, anchor: 'value', message: issue.message, fix: valueFix(path)}]
  }
}

function unknownKey(root: ZodTypeAny, objectPath: PathSegment[], key: string): LocatedProblem {
  const segments = [...objectPath, key]
  const known = Object.keys(objectShape(schemaAt(root, objectPath)) ?? {})
  const where = objectPath.length ? `\`${formatPath(objectPath)}\`` : 'the top level'
  if (SECRET_KEY.test(key)) {
    return {
      segments,
      anchor: 'key',
      message: 'secrets are never kept in the cluster file',
      fix: 'remove it: hapair generates the DRBD shared secret, keepalived auth_pass and corosync/heartbeat keys into the .secrets.yaml file beside this one (mode 0600); edit them there',
    }
  }
  const guess = didYouMean(key, known)
  return {
    segments,
    anchor: 'key',
    message: `is not a known key in ${where}`,
    fix: guess ? `did you mean \`${guess}\`? rename it, or remove it` : `remove it; the keys allowed here are: ${known.join(', ')}`,
    meant: guess,
  }
}

/**
 * A union (`client: local | {...}`). zod reports the branch a value got furthest in when one
 * exists (so `size: lots` is already "not a size"); this handles values that match no branch.
 */
function unionProblems(root: ZodTypeAny, issue: Extract<ZodIssue, {code: 'invalid_union'}>, data: unknown): LocatedProblem[] {
  const value = valueAt(data, issue.path)
  const path = formatPath(issue.path)
  const aimed = issue.unionErrors
    .map((e) => e.issues)
    .find((issues) => issues.every((i) => i.code !== 'invalid_literal' && !(i.code === 'invalid_type' && i.path.length === issue.path.length)))
  if (aimed && typeof value === 'object') return issuesToProblems(root, aimed, data)
  const literals = issue.unionErrors.flatMap((e) => e.issues).filter((i): i is Extract<ZodIssue, {code: 'invalid_literal'}> => i.code === 'invalid_literal').map((i) => `"${String(i.expected)}"`)
  const example = exampleFor(path)
  const alternatives = [...literals, ...(example ? [`a map like ${example}`] : [])]
  if (value === undefined) return [{segments: issue.path, anchor: 'missing', message: `is missing: it must be ${alternatives.join(' or ')}`, fix: valueFix(path)}]
  return [{segments: issue.path, anchor: 'value', message: `${JSON.stringify(value)} is neither ${alternatives.join(' nor ')}`, fix: valueFix(path)}]
}

function typeFix(path: string, expected: string, value: unknown): string {
  const key = lastKey(path)
  if (expected === 'number' && typeof value === 'string' && /^\d+$/.test(value.trim())) return `write \`${key}: ${value.trim()}\` without quotes`
  if (expected === 'boolean' && typeof value === 'string' && /^(true|false)$/i.test(value)) return `write \`${key}: ${value.toLowerCase()}\` without quotes`
  if (expected === 'boolean' && typeof value === 'string' && /^(yes|no|on|off|y|n)$/i.test(value)) {
    return `write \`${key}: ${/^(yes|on|y)$/i.test(value) ? 'true' : 'false'}\` (YAML 1.2 reads ${value} as text)`
  }
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) return `quote it: \`${key}: "${value}"\``
  return valueFix(path)
}

function valueFix(path: string): string {
  const special = fixFor(path)
  if (special) return special
  const line = exampleLine(path)
  return line ? `write it like ${line}` : 'see the example cluster file in the README'
}

const DEFAULT_MESSAGE = /^(Required|Invalid|Expected|Number must|String must|Array must)/
function isDefaultMessage(message: string): boolean {
  return DEFAULT_MESSAGE.test(message)
}

function article(type: string): string {
  const words: Record<string, string> = {object: 'a map', array: 'a list', string: 'text', number: 'a number', boolean: 'true or false', null: 'empty', integer: 'a whole number', float: 'a fraction'}
  return words[type] ?? type
}

function numberRange(schema: ZodTypeAny | undefined): string | undefined {
  if (!(schema instanceof z.ZodNumber)) return undefined
  const {minValue: min, maxValue: max} = schema
  if (min !== null && max !== null) return `${min}-${max}`
  if (min !== null) return `at least ${min}`
  if (max !== null) return `at most ${max}`
  return undefined
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let cur: any = data
  for (const seg of path) cur = cur === null || typeof cur !== 'object' ? undefined : cur[seg]
  return cur
}

/** Peels defaults, optionals and refinements to the schema that describes the value's shape. */
export function unwrap(schema: ZodTypeAny): ZodTypeAny {
  let s = schema
  for (;;) {
    if (s instanceof z.ZodDefault) s = s._def.innerType
    else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap()
    else if (s instanceof z.ZodEffects) s = s.innerType()
    else return s
  }
}

/** The schema at a path; through unions it follows the alternative that is an object. */
export function schemaAt(root: ZodTypeAny, path: readonly PathSegment[]): ZodTypeAny | undefined {
  let cur: ZodTypeAny | undefined = unwrap(root)
  for (const seg of path) {
    if (!cur) return undefined
    if (cur instanceof z.ZodArray && typeof seg === 'number') cur = unwrap(cur.element)
    else {
      const shape = objectShape(cur)
      cur = shape && typeof seg === 'string' && shape[seg] ? unwrap(shape[seg]) : undefined
    }
  }
  return cur
}

function objectShape(schema: ZodTypeAny | undefined): Record<string, ZodTypeAny> | undefined {
  if (!schema) return undefined
  const s = unwrap(schema)
  if (s instanceof z.ZodObject) return s.shape
  if (s instanceof z.ZodUnion) {
    for (const option of s.options as ZodTypeAny[]) {
      const shape = objectShape(option)
      if (shape) return shape
    }
  }
  return undefined
}
