import {createHash} from 'node:crypto'
import {encodedForms} from '../state/secret-encodings.js'

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/**
 * Makes facts safe to keep in the state file: any string holding a secret (in any encoding), and any long text
 * (file contents), becomes its sha256. Short plain values stay readable.
 */
export function redact(value: unknown, secrets: string[], maxText = 200): unknown {
  if (typeof value === 'string') {
    if (secrets.some((s) => s && encodedForms(s).some((f) => value.includes(f.text))) || value.length > maxText) return `sha256:${sha256(value)}`
    return value
  }
  if (value instanceof Set) return redact([...value], secrets, maxText)
  if (value instanceof Map) return redact(Object.fromEntries(value), secrets, maxText)
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, maxText))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, secrets, maxText)]))
  }
  return value
}
