/**
 * Host key identity as OpenSSH shows it. ssh2 hands the verifier the raw public key blob (SSH wire
 * format: string type, then the key's fields), so fingerprints and types are read from that blob.
 */
import {createHash} from 'node:crypto'

/** `SHA256:<base64, no padding>` of the key blob: the same text `ssh-keygen -lf` and `ssh` print. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
}

/** The key type named at the start of the blob, e.g. `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`. */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) throw new Error('host key blob is too short')
  const len = blob.readUInt32BE(0)
  if (len === 0 || len > 64 || 4 + len > blob.length) throw new Error('host key blob does not start with a key type')
  return blob.subarray(4, 4 + len).toString('latin1')
}

/** Compares fingerprints as users paste them: the trailing `=` padding is optional. */
export function sameFingerprint(a: string, b: string): boolean {
  return a.replace(/=+$/, '') === b.replace(/=+$/, '')
}

/**
 * Host key algorithms ssh2 can negotiate for a key type. RSA keys are one type (`ssh-rsa`) but are
 * signed with three algorithms; the SHA-2 ones come first because modern sshd refuses `ssh-rsa`.
 */
export function algorithmsForKeyType(type: string): string[] {
  if (type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']
  return [type]
}

/** ssh2's default host key algorithm order (ssh2 1.x), used as the tail after the known types. */
const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
]

/**
 * Orders host key algorithms so the server presents a key of a type we already know (as OpenSSH
 * does). Without this, a server with both RSA and ed25519 keys, known only by its RSA key, would
 * show its ed25519 key and look like a stranger.
 */
export function preferredHostKeyAlgorithms(knownTypes: string[]): string[] {
  const first = knownTypes.flatMap(algorithmsForKeyType).filter((a) => DEFAULT_HOST_KEY_ALGORITHMS.includes(a))
  return [...new Set([...first, ...DEFAULT_HOST_KEY_ALGORITHMS])]
}
