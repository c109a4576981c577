import {shq, type Fact} from './fact.js'

export interface FileInfo {
  exists: boolean
  /**
   * Content as text (files hapair owns are small config files). For a file read with
   * `secretKeys`, the content with every secret value replaced by SECRET_MARKER.
   */
  content: string | null
  mode: number | null
  /** sha256 of the real bytes, computed on the node: set only for files read with `secretKeys`. */
  sha256?: string | null
}

/** What a secret value reads as wherever it is shown: dry-run diffs, facts, the state file. */
export const SECRET_MARKER = '<secret>'

/**
 * A config keyword followed by a secret value: `shared-secret "…"` (quoted) or `auth_pass …`.
 * Keys are plain words ([A-Za-z0-9_-]), so they are safe inside a regex and a sed expression.
 */
export interface SecretKey {
  key: string
  quoted: boolean
}

/** Replaces every secret value after its keyword with SECRET_MARKER (the JS twin of secretSed). */
export function redactSecretKeys(text: string, keys: readonly SecretKey[]): string {
  let out = text
  for (const {key, quoted} of keys) {
    out = quoted ? out.replace(new RegExp(`(${key}\\s+)"[^"\\n]*"`, 'g'), `$1"${SECRET_MARKER}"`) : out.replace(new RegExp(`(${key}[ \\t]+)[^\\s;]+`, 'g'), `$1${SECRET_MARKER}`)
  }
  return out
}

/** The same replacement as redactSecretKeys, run by sed on the node, so the secret never crosses the wire. */
export function secretSed(keys: readonly SecretKey[]): string {
  const exprs = keys.map(({key, quoted}) =>
    quoted ? `s/(${key}[[:space:]]+)"[^"]*"/\\1"${SECRET_MARKER}"/g` : `s/(${key}[[:space:]]+)[^[:space:];]+/\\1${SECRET_MARKER}/g`,
  )
  return `sed -E ${exprs.map((e) => `-e ${shq(e)}`).join(' ')}`
}

/**
 * A file's mode and content; base64 so any byte survives the trip. With `secretKeys` (a file that
 * holds secrets) the node sends the sha256 of the real file and the content with the secret values
 * replaced: the plan compares hashes, and a dry-run diff shows everything but the secrets.
 */
export function fileFact(path: string, opts: {secretKeys?: readonly SecretKey[]} = {}): Fact<FileInfo> {
  const p = shq(path)
  const keys = opts.secretKeys
  const read = keys ? `sha256sum < ${p} | cut -d' ' -f1; ${secretSed(keys)} ${p} | base64 -w0` : `base64 -w0 ${p}`
  return {
    command: `if [ -f ${p} ]; then stat -c %a ${p}; ${read}; echo; else echo missing; fi`,
    parse(stdout) {
      const lines = stdout.split('\n')
      if (lines[0].trim() === 'missing') return {exists: false, content: null, mode: null, ...(keys && {sha256: null})}
      const mode = parseInt(lines[0].trim(), 8)
      const [hash, b64] = keys ? [lines[1].trim(), lines[2] ?? ''] : [undefined, lines[1] ?? '']
      // Redacted again here: a file the node's sed could not match (edited by hand) must not leak.
      const text = Buffer.from(b64.trim(), 'base64').toString('utf8')
      return {exists: true, mode, content: keys ? redactSecretKeys(text, keys) : text, ...(hash !== undefined && {sha256: hash})}
    },
  }
}

/**
 * A file that is a secret as a whole (corosync's authkey, a BMC password): its mode and the sha256
 * of its bytes, computed on the node; the content never crosses the wire (`content` is the marker).
 */
export function secretFileFact(path: string): Fact<FileInfo> {
  const p = shq(path)
  return {
    command: `if [ -f ${p} ]; then stat -c %a ${p}; sha256sum < ${p} | cut -d' ' -f1; else echo missing; fi`,
    parse(stdout) {
      const lines = stdout.split('\n').map((l) => l.trim())
      if (lines[0] === 'missing') return {exists: false, content: null, mode: null, sha256: null}
      return {exists: true, content: SECRET_MARKER, mode: parseInt(lines[0], 8), sha256: lines[1] || null}
    },
  }
}
