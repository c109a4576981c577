/**
 * What ~/.ssh/config says about one host, read with the `ssh-config` package (Host and Match
 * matching, first value wins, as ssh(1) does). Only the settings hapair acts on are returned:
 * HostName, User, Port, IdentityFile, ProxyJump and StrictHostKeyChecking.
 *
 * Not followed: `Match exec` (it would run a command from the file; matchExec is off), `Include`
 * (the package does not read other files), `%` tokens in IdentityFile. Host keys stay verified
 * whatever the file says: `StrictHostKeyChecking no` or `accept-new` lets an UNKNOWN key be
 * recorded (as --accept-new-host-keys does), never a changed one.
 */
import {existsSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
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

/** A lookup over the user's ~/.ssh/config; a missing or unreadable file answers nothing for every host. */
export function readSshConfig(file = USER_SSH_CONFIG): SshConfigLookup {
  let text = ''
  try {
    if (existsSync(file)) text = readFileSync(file, 'utf8')
  } catch {
    text = ''
  }
  return sshConfigLookup(text)
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
