/**
 * OpenSSH known_hosts files, read and matched the way `ssh` does, so a key the user already
 * trusts with `ssh root@node1` is trusted here too, and a changed key is caught here too.
 * Pure: the caller reads and appends the files.
 *
 * Line format (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
 *   [@cert-authority|@revoked] hostpatterns keytype base64-key [comment]
 * hostpatterns is a comma list of names/addresses (`*` `?` wildcards, `!` negation),
 * `[host]:port` for a port other than 22, or one hashed name `|1|base64(salt)|base64(hmac-sha1)`.
 */
import {createHmac} from 'node:crypto'
import {fingerprintOf, keyTypeOf} from './host-key.js'

export interface KnownHostEntry {
  /** Which file the entry came from (for "remove line N of FILE" hints). */
  source: string
  /** 1-based line number in that file. */
  line: number
  marker?: 'cert-authority' | 'revoked'
  /** The comma-separated host patterns, as written (hashed ones included). */
  patterns: string[]
  keyType: string
  key: Buffer
}

export function parseKnownHosts(text: string, source = 'known_hosts'): KnownHostEntry[] {
  const entries: KnownHostEntry[] = []
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (!line || line.startsWith('#')) return
    const fields = line.split(/\s+/)
    let marker: KnownHostEntry['marker']
    if (fields[0].startsWith('@')) {
      const name = fields.shift()!.slice(1)
      // Unknown markers make OpenSSH skip the line; do the same rather than misread it.
      if (name !== 'cert-authority' && name !== 'revoked') return
      marker = name
    }
    const [hosts, keyType, keyBase64] = fields
    if (!hosts || !keyType || !keyBase64 || !/^[A-Za-z0-9+/]+=*$/.test(keyBase64)) return
    entries.push({source, line: index + 1, marker, patterns: hosts.split(','), keyType, key: Buffer.from(keyBase64, 'base64')})
  })
  return entries
}

/** The name a host is recorded under: `1.2.3.4` on port 22, `[1.2.3.4]:2222` on any other port. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

/** Does this entry's pattern list name the host? A matching `!pattern` rules the entry out. */
export function entryMatches(entry: KnownHostEntry, name: string): boolean {
  const wanted = name.toLowerCase()
  let matched = false
  for (const pattern of entry.patterns) {
    if (pattern.startsWith('|1|')) {
      if (hashedMatches(pattern, wanted)) matched = true
    } else if (pattern.startsWith('!')) {
      if (wildcardMatches(pattern.slice(1).toLowerCase(), wanted)) return false
    } else if (wildcardMatches(pattern.toLowerCase(), wanted)) {
      matched = true
    }
  }
  return matched
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, , salt, hash] = pattern.split('|')
  if (!salt || !hash) return false
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash
}

function wildcardMatches(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === name
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${re}$`).test(name)
}

export type HostKeyVerdict =
  /** A recorded key for this host equals the offered one. */
  | {kind: 'known'; entry: KnownHostEntry}
  /** The host is recorded with a key of the same type that differs: possible man-in-the-middle. */
  | {kind: 'changed'; entries: KnownHostEntry[]}
  /** The key is listed under @revoked. */
  | {kind: 'revoked'; entry: KnownHostEntry}
  /** The host is recorded, but only with keys of other types (e.g. RSA known, ed25519 offered). */
  | {kind: 'other-types'; types: string[]}
  | {kind: 'unknown'}

/** Judges an offered host key against known_hosts entries (from one or several files). */
export function checkKnownHosts(entries: KnownHostEntry[], name: string, blob: Buffer): HostKeyVerdict {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(blob))
  if (revoked) return {kind: 'revoked', entry: revoked}
  // Certificate authorities vouch for host certificates, which hapair does not request.
  const mine = entries.filter((e) => !e.marker && entryMatches(e, name))
  const same = mine.find((e) => e.key.equals(blob))
  if (same) return {kind: 'known', entry: same}
  const type = keyTypeOf(blob)
  const sameType = mine.filter((e) => e.keyType === type)
  if (sameType.length > 0) return {kind: 'changed', entries: sameType}
  if (mine.length > 0) return {kind: 'other-types', types: [...new Set(mine.map((e) => e.keyType))]}
  return {kind: 'unknown'}
}

/** Key types recorded for the host, to ask the server for one of those first. */
export function knownKeyTypes(entries: KnownHostEntry[], name: string): string[] {
  return [...new Set(entries.filter((e) => !e.marker && entryMatches(e, name)).map((e) => e.keyType))]
}

/** The line to append for a newly trusted key (plain, not hashed: readable and `ssh-keygen -R` removes it). */
export function knownHostsLine(name: string, blob: Buffer): string {
  return `${name} ${keyTypeOf(blob)} ${blob.toString('base64')}\n`
}

/** Short description of a recorded entry for messages: `~/.ssh/known_hosts:3 (ssh-ed25519 SHA256:...)`. */
export function describeEntry(entry: KnownHostEntry): string {
  return `${entry.source}:${entry.line} (${entry.keyType} ${fingerprintOf(entry.key)})`
}
