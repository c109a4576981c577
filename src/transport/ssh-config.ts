/**
 * What ~/.ssh/config says about one host, read with the `ssh-config` package (Host and Match
 * matching, first value wins, as ssh(1) does). Only the settings hapair acts on are returned:
 * HostName, User, Port, IdentityFile, ProxyJump and StrictHostKeyChecking.
 *
 * `Include` is followed as ssh(1) does (the package itself reads no other file): each file in
 * place of the line, globs (`config.d/*`) in lexical order, a relative path under ~/.ssh, up to
 * 16 levels deep; inside a Host or Match block the included lines belong to that block.
 *
 * Not followed: `Match exec` (it would run a command from the file; matchExec is off), `%` tokens
 * in IdentityFile. Host keys stay verified
 * whatever the file says: `StrictHostKeyChecking no` or `accept-new` lets an UNKNOWN key be
 * recorded (as --accept-new-host-keys does), never a changed one.
 */
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {homedir} from 'node:os'
import {isAbsolute, join} from 'node:path'
import SSHConfig from 'ssh-config'

export interface SshConfigEntry {
  hostName?: string
  user?: string
  port?: number
  identityFile?: string
  proxyJump?: string
  /** `accept-new` or `no`: unknown host keys may be recorded (changed ones never). */
  acceptNewHostKeys?: boolean
  /** Which settings came from the file, for messages. */
  used: string[]
}

export type SshConfigLookup = (host: string) => SshConfigEntry

export const USER_SSH_CONFIG = join(homedir(), '.ssh', 'config')

/** A lookup over the user's ~/.ssh/config and the files it includes; a missing or unreadable file answers nothing. */
export function readSshConfig(file = USER_SSH_CONFIG, home = homedir()): SshConfigLookup {
  return sshConfigLookup(expandIncludes(readOrEmpty(file), home))
}

function readOrEmpty(file: string): string {
  try {
    return existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : ''
  } catch {
    return ''
  }
}

/** ssh(1) stops at this depth (READCONF_MAX_DEPTH). */
const MAX_INCLUDE_DEPTH = 16
const INCLUDE_RE = /^\s*include(?:\s*=\s*|\s+)(.+?)\s*$/i
const BLOCK_RE = /^\s*(host|match)(?:\s*=\s*|\s+)/i

/**
 * The config text with every `Include` line replaced by the files it names, as ssh(1) reads them.
 * An include inside a Host/Match block whose files open blocks of their own is followed by that
 * block's header again, so the outer block's remaining lines stay under it (ssh restores the
 * block's state when the included file ends; at the top level that is `Host *`).
 */
export function expandIncludes(text: string, home: string, depth = 0): string {
  const out: string[] = []
  let header: string | undefined
  for (const line of text.split(/\r?\n/)) {
    if (BLOCK_RE.test(line)) header = line
    const m = INCLUDE_RE.exec(line)
    if (!m) {
      out.push(line)
      continue
    }
    if (depth >= MAX_INCLUDE_DEPTH) continue
    for (const file of words(m[1]).flatMap((w) => includedFiles(w, home))) {
      const inner = expandIncludes(readOrEmpty(file), home, depth + 1)
      out.push(inner)
      if (inner.split(/\r?\n/).some((l) => BLOCK_RE.test(l))) out.push(header ?? 'Host *')
    }
  }
  return out.join('\n')
}

/** Whitespace-separated words, double quotes grouping. */
function words(s: string): string[] {
  return [...s.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2])
}

/** One Include argument to the files it names: `~/` is home, a relative path is under ~/.ssh, `*` and `?` match within a path component. */
function includedFiles(arg: string, home: string): string[] {
  const path = arg.startsWith('~/') ? join(home, arg.slice(2)) : isAbsolute(arg) ? arg : join(home, '.ssh', arg)
  const parts = path.split('/').filter(Boolean)
  let found = ['/']
  for (const part of parts) {
    if (!/[*?[]/.test(part)) {
      found = found.map((dir) => join(dir, part))
      continue
    }
    const re = new RegExp(`^${part.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`)
    found = found.flatMap((dir) => {
      try {
        return readdirSync(dir).filter((name) => re.test(name) && !name.startsWith('.')).sort().map((name) => join(dir, name))
      } catch {
        return []
      }
    })
  }
  return found
}

/** Pure: the text of an ssh_config(5) file to a lookup by host. */
export function sshConfigLookup(text: string): SshConfigLookup {
  const parsed = SSHConfig.parse(text)
  return (host) => {
    const all = parsed.compute(host, {ignoreCase: true, matchExec: false}) as Record<string, string | string[]>
    const first = (key: string): string | undefined => {
      const v = all[key]
      const one = Array.isArray(v) ? v[0] : v
      return typeof one === 'string' && one.trim() !== '' ? one.trim() : undefined
    }
    const out: SshConfigEntry = {used: []}
    const hostName = first('hostname')
    // %h in HostName stands for the name given on the command line (`HostName %h.example.com`).
    if (hostName && !/%[^h%]/.test(hostName)) {
      out.hostName = hostName.replace(/%h/g, host).replace(/%%/g, '%')
      out.used.push('HostName')
    }
    const user = first('user')
    if (user && !user.includes('%')) {
      out.user = user
      out.used.push('User')
    }
    const port = Number(first('port'))
    if (Number.isInteger(port) && port >= 1 && port <= 65535) {
      out.port = port
      out.used.push('Port')
    }
    const identity = first('identityfile')
    if (identity && !identity.includes('%') && identity.toLowerCase() !== 'none') {
      out.identityFile = identity
      out.used.push('IdentityFile')
    }
    const jump = first('proxyjump')
    if (jump && jump.toLowerCase() !== 'none') {
      out.proxyJump = jump
      out.used.push('ProxyJump')
    }
    const strict = first('stricthostkeychecking')?.toLowerCase()
    if (strict === 'accept-new' || strict === 'no' || strict === 'off') {
      out.acceptNewHostKeys = true
      out.used.push('StrictHostKeyChecking')
    }
    return out
  }
}
