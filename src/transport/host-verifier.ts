/**
 * Decides whether to trust the key a server presents. ssh2 trusts ANY key unless told otherwise,
 * which would let anyone on the path read the DRBD secret we are about to send; so every
 * connection goes through here: a pinned fingerprint, else known_hosts, else the user's consent.
 */
import {appendFileSync, existsSync, mkdirSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname} from 'node:path'
import {ConnectError} from '../errors.js'
import {fingerprintOf, keyTypeOf, sameFingerprint} from './host-key.js'
import {checkKnownHosts, describeEntry, knownHostName, knownHostsLine, parseKnownHosts, type KnownHostEntry} from './known-hosts.js'
import {expandHome} from './ssh-auth.js'

export const GLOBAL_KNOWN_HOSTS = '/etc/ssh/ssh_known_hosts'

export interface HostKeyPolicy {
  node: string
  /** How messages name the host when it is not the node itself (`jump host bastion`). */
  label?: string
  address: string
  port: number
  /** `SHA256:...` from the cluster file: when set, it alone decides. */
  pinned?: string
  /** The file new keys are recorded in (`ssh.knownHostsFile`, default ~/.ssh/known_hosts). */
  knownHostsFile: string
  /** Also consult the system-wide file (read only). Off when the cluster file names its own file. */
  readGlobal: boolean
  acceptNew: boolean
  confirm?: (node: string, fingerprint: string, keyType: string) => Promise<boolean>
}

export function hostKeyPolicy(
  target: {node: string; address: string; ssh: {port: number; hostKey?: string; knownHostsFile?: string}},
  opts: {acceptNewHostKeys: boolean; interactive: boolean; confirmHostKey?: HostKeyPolicy['confirm']},
): HostKeyPolicy {
  return {
    node: target.node,
    address: target.address,
    port: target.ssh.port,
    pinned: target.ssh.hostKey,
    knownHostsFile: target.ssh.knownHostsFile ? expandHome(target.ssh.knownHostsFile) : `${homedir()}/.ssh/known_hosts`,
    readGlobal: !target.ssh.knownHostsFile,
    acceptNew: opts.acceptNewHostKeys,
    confirm: opts.interactive ? opts.confirmHostKey : undefined,
  }
}

/** Reads the known_hosts entries the policy consults; missing files count as empty. */
export function readKnownHosts(policy: HostKeyPolicy): KnownHostEntry[] {
  const files = policy.readGlobal ? [policy.knownHostsFile, GLOBAL_KNOWN_HOSTS] : [policy.knownHostsFile]
  return files.flatMap((file) => (existsSync(file) ? parseKnownHosts(readFileSync(file, 'utf8'), file) : []))
}

/**
 * Resolves when the key may be trusted (recording a newly accepted key); rejects with a
 * ConnectError that says what was offered, what was expected, and what to do.
 */
export async function verifyHostKey(policy: HostKeyPolicy, entries: KnownHostEntry[], blob: Buffer): Promise<void> {
  const fingerprint = fingerprintOf(blob)
  const type = keyTypeOf(blob)
  const who = `${policy.label ?? policy.node} (${policy.address}${policy.port === 22 ? '' : `:${policy.port}`})`
  const name = knownHostName(policy.address, policy.port)

  if (policy.pinned) {
    if (sameFingerprint(fingerprint, policy.pinned)) return
    throw new ConnectError(
      policy.node,
      `host key of ${who} is ${type} ${fingerprint}, but the cluster file pins ${policy.pinned}: refusing to connect ` +
        `(someone may be intercepting the connection, or the node was reinstalled)`,
      `If the node was reinstalled, read its new key on its console (ssh-keygen -lf /etc/ssh/ssh_host_${type.replace(/^ssh-|-sha2-nistp\d+$/g, '')}_key.pub) and update nodes[].ssh.hostKey.`,
    )
  }

  const verdict = checkKnownHosts(entries, name, blob)
  switch (verdict.kind) {
    case 'known':
      return
    case 'revoked':
      throw new ConnectError(policy.node, `host key of ${who} (${type} ${fingerprint}) is marked @revoked in ${verdict.entry.source}:${verdict.entry.line}: refusing to connect`)
    case 'changed': {
      const old = verdict.entries[0]
      throw new ConnectError(
        policy.node,
        `host key for ${who} has CHANGED!\n` +
          `  it now offers ${type} ${fingerprint}\n` +
          `  but ${describeEntry(old)} records ${fingerprintOf(old.key)}\n` +
          `  Someone may be intercepting the connection (possible man-in-the-middle attack), or the node was reinstalled. Refusing to connect.`,
        `If the change is expected, remove the old key with: ssh-keygen -f ${old.source} -R '${name}'  then run again with --accept-new-host-keys (or pin nodes[].ssh.hostKey: ${fingerprint}).`,
      )
    }
    case 'other-types':
    case 'unknown': {
      const also = verdict.kind === 'other-types' ? ` (known_hosts holds only ${verdict.types.join(', ')} keys for it)` : ''
      if (policy.acceptNew || (policy.confirm && (await policy.confirm(policy.label ?? policy.node, fingerprint, type)))) {
        record(policy.knownHostsFile, knownHostsLine(name, blob))
        return
      }
      throw new ConnectError(
        policy.node,
        `host key for ${who} is not known${also}: ${type} ${fingerprint}`,
        `Check that fingerprint on the node itself (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then run again with --accept-new-host-keys, ` +
          `or pin it in the cluster file as nodes[].ssh.hostKey: ${fingerprint}`,
      )
    }
  }
}

/** Appends a line, creating ~/.ssh (0700) and the file (0600) like ssh does; keeps the last line intact. */
function record(file: string, line: string): void {
  mkdirSync(dirname(file), {recursive: true, mode: 0o700})
  const current = existsSync(file) ? readFileSync(file, 'utf8') : ''
  appendFileSync(file, current && !current.endsWith('\n') ? `\n${line}` : line, {mode: 0o600})
}
