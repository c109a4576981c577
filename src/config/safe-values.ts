/**
 * Values of the cluster file that end up inside config files and scripts on the nodes
 * (/etc/drbd.d/<res>.res, /etc/exports, keepalived.conf, notify scripts, fstab-like mounts),
 * checked against what those places can carry safely. The schema says what a value means;
 * these rules say which characters may reach a file whose syntax a stray `;`, `"`, `{`, `#`,
 * newline or space would change: `disk: "/dev/vdb; handlers { fence-peer ... }"` must not become a
 * DRBD handler run as root, and an export path must not split one exports line into several.
 *
 * Allow-lists, not deny-lists: a character not named here is refused. Rules walk the raw parsed
 * YAML, so they report even when other parts of the file fail the schema.
 */
import {posix} from 'node:path'
import type {ConfigProblem} from '../errors.js'

type Check = (value: string) => string | undefined

interface Rule {
  /** Keys from the top; `*` is every item of a list. */
  path: string[]
  check: Check
  fix: string
}

/** Letters, digits and `. _ + @ : % ~ / -`: no whitespace, quotes, `;`, braces, `#`, `$`, `\`, globs or control characters. */
const PATH_CHARS = /^[A-Za-z0-9._+@:%~/-]$/

/** A character as a person can recognise it in a message, control characters by code. */
export function describeChar(c: string): string {
  const code = c.codePointAt(0)!
  if (c === ' ') return 'a space'
  if (c === '\t') return 'a tab'
  if (c === '\n' || c === '\r') return 'a line break'
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) return `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`
  return `"${c}"`
}

function badChar(value: string, allowed: RegExp): string | undefined {
  for (const c of value) if (!allowed.test(c)) return describeChar(c)
  return undefined
}

/** An absolute path written into a config file or script: plain characters, no `.`/`..` segments. */
export const configPath: Check = (value) => {
  if (!value.startsWith('/')) return 'must be an absolute path (start with /)'
  const c = badChar(value, PATH_CHARS)
  if (c) return `holds ${c}; a path here may hold only letters, digits and . _ + @ : % ~ / -`
  if (value.split('/').some((s) => s === '.' || s === '..')) return 'holds a . or .. segment; write the path it stands for'
  if (value.length > 4095 || value.split('/').some((s) => s.length > 255)) return 'is longer than a Linux path may be'
  if (value !== '/' && posix.normalize(value).replace(/\/$/, '') !== value) return 'is not a plain absolute path (no //, no trailing /)'
  return undefined
}

/** A block device: a plain path under /dev. */
export const devicePath: Check = (value) => {
  const p = configPath(value)
  if (p) return p
  if (!value.startsWith('/dev/') || value === '/dev/') return 'must be a device under /dev (e.g. /dev/sdb)'
  return undefined
}

/** One /etc/exports option: `name` or `name=value`, nothing that could close the option list or start a new entry. */
export const exportOption: Check = (value) =>
  /^[a-z_]+(=[A-Za-z0-9_.:@/+-]+)?$/.test(value) ? undefined : `${JSON.stringify(value)} is not an exports option (name or name=value of letters, digits and _ . : @ / + -)`

/** Client specs are checked for meaning in validate.ts; here only for characters the exports line gives meaning to. */
export const exportClients: Check = (value) => {
  const c = badChar(value, /^[A-Za-z0-9.*?:/@_-]$/)
  return c ? `holds ${c}; a client spec may hold only letters, digits and . * ? : / @ _ - (one client per export entry)` : undefined
}

/** A Linux interface name (IFNAMSIZ 16 with the NUL; no /, whitespace, and never . or ..). */
export const interfaceName: Check = (value) =>
  /^[A-Za-z0-9_.:-]{1,15}$/.test(value) && value !== '.' && value !== '..' ? undefined : 'is not an interface name (1-15 letters, digits, _ . : -)'

/** A login name for SSH, also printed into sudoers advice: the portable POSIX set plus @ for directory users. */
export const userName: Check = (value) => (/^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$/.test(value) ? undefined : 'is not a user name (letters, digits, _ . @ -, not starting with -)')

/** The path part of a URL for a keepalived HTTP check: no whitespace, quotes, braces or comment characters. */
export const urlPath: Check = (value) => {
  if (!value.startsWith('/')) return 'must start with /'
  const c = badChar(value, /^[A-Za-z0-9._~%/+:@=&?,-]$/)
  return c ? `holds ${c}; an HTTP check path may hold only letters, digits and . _ ~ % / + : @ = & ? , -` : undefined
}

/** A local file (an SSH key, known_hosts): never written into a node's file, but a control character is never meant. */
export const localFile: Check = (value) => {
  const c = [...value].find((x) => /[\x00-\x1f\x7f]/.test(x))
  return c ? `holds ${describeChar(c)}` : undefined
}

const RULES: Rule[] = [
  {path: ['storage', 'disk'], check: devicePath, fix: 'name the whole blank disk, e.g. `disk: /dev/sdb`'},
  {path: ['drbd', 'device'], check: devicePath, fix: 'use `device: /dev/drbd0`'},
  {path: ['filesystem', 'mountPoint'], check: configPath, fix: 'use a plain directory such as `mountPoint: /data`'},
  {path: ['nfs', 'exports', '*', 'path'], check: configPath, fix: 'export a plain directory such as `path: /data`'},
  {path: ['nfs', 'exports', '*', 'clients'], check: exportClients, fix: 'write one client spec, e.g. `clients: 192.168.1.0/24`'},
  {path: ['nfs', 'exports', '*', 'options', '*'], check: exportOption, fix: 'use exports(5) options such as rw, sync, no_root_squash, fsid=1'},
  {path: ['vip', 'interface'], check: interfaceName, fix: 'name the interface as `ip link` shows it, e.g. `interface: eth0`'},
  {path: ['heartbeat', 'interface'], check: interfaceName, fix: 'name the interface heartbeats use as `ip link` shows it, e.g. `interface: eth1`'},
  {path: ['nodes', '*', 'ssh', 'user'], check: userName, fix: 'use the login name, e.g. `user: root`'},
  {path: ['nodes', '*', 'ssh', 'identityFile'], check: localFile, fix: 'give the key file path on one line'},
  {path: ['nodes', '*', 'ssh', 'knownHostsFile'], check: localFile, fix: 'give the known_hosts path on one line'},
  {path: ['drill', 'client', 'ssh', 'user'], check: userName, fix: 'use the login name, e.g. `user: root`'},
  {path: ['lvs', 'realServers', '*', 'ssh', 'user'], check: userName, fix: 'use the login name, e.g. `user: root`'},
  {path: ['lvs', 'realServers', '*', 'ssh', 'identityFile'], check: localFile, fix: 'give the key file path on one line'},
  {path: ['lvs', 'realServers', '*', 'ssh', 'knownHostsFile'], check: localFile, fix: 'give the known_hosts path on one line'},
  {path: ['lvs', 'syncDaemon', 'interface'], check: interfaceName, fix: 'name the interface as `ip link` shows it, e.g. `interface: eth1`'},
  {path: ['lvs', 'maintenanceFile'], check: configPath, fix: 'use a plain path such as `maintenanceFile: /etc/keepalived/down`'},
  {path: ['lvs', 'healthCheck', 'path'], check: urlPath, fix: 'use a plain URL path such as `path: /health`'},
  {path: ['pacemaker', 'fencing', 'devices', '*', 'username'], check: userName, fix: 'use the BMC login name, e.g. `username: admin`'},
  {path: ['lab', 'dir'], check: configPath, fix: 'use a plain directory such as `dir: /var/lib/hapair-lab`'},
]

/** Every string at `path` in `data`, with its formatted location (`nfs.exports[0].path`). */
function valuesAt(data: unknown, path: string[], where = ''): {where: string; value: string}[] {
  if (path.length === 0) return typeof data === 'string' ? [{where, value: data}] : []
  const [key, ...rest] = path
  if (key === '*') return Array.isArray(data) ? data.flatMap((item, i) => valuesAt(item, rest, `${where}[${i}]`)) : []
  if (!data || typeof data !== 'object' || Array.isArray(data)) return []
  return valuesAt((data as Record<string, unknown>)[key], rest, where ? `${where}.${key}` : key)
}

/** Every unsafe value in a parsed cluster file (raw YAML data, valid or not), each with its path. */
export function unsafeValueProblems(data: unknown): ConfigProblem[] {
  return RULES.flatMap((rule) =>
    valuesAt(data, rule.path).flatMap(({where, value}) => {
      const message = rule.check(value)
      return message ? [{path: where, message, fix: rule.fix}] : []
    }),
  )
}

/**
 * Secrets go into quoted or bare config tokens (`shared-secret "…";`, `auth_pass …`, an authkeys
 * line) that have no escapes: a safe alphabet, and DRBD's 64-byte limit. Messages never show the
 * value.
 */
const SECRET_RULES: Record<string, {alphabet: RegExp; max?: number; what: string}> = {
  drbdSharedSecret: {alphabet: /^[A-Za-z0-9_+/=.-]+$/, max: 64, what: 'letters, digits and _ + / = . -'},
  keepalivedAuthPass: {alphabet: /^[A-Za-z0-9_+/=.-]+$/, what: 'letters, digits and _ + / = . -'},
  corosyncAuthkey: {alphabet: /^[A-Za-z0-9+/]+={0,2}$/, what: 'base64 (letters, digits, + / and = padding)'},
  heartbeatAuthkey: {alphabet: /^[A-Za-z0-9_+/=.-]+$/, what: 'letters, digits and _ + / = . -'},
}

export function unsafeSecretProblems(secrets: Record<string, unknown>): ConfigProblem[] {
  const out: ConfigProblem[] = []
  for (const [key, rule] of Object.entries(SECRET_RULES)) {
    const value = secrets[key]
    if (typeof value !== 'string') continue
    const fix = 'delete the line (or the whole file) and run hapair again to generate a fresh value, then apply the cluster again'
    if (!rule.alphabet.test(value)) out.push({path: key, message: `holds a character the config file it goes into cannot carry; use only ${rule.what}`, fix})
    else if (rule.max !== undefined && Buffer.byteLength(value) > rule.max) out.push({path: key, message: `is longer than ${rule.max} characters (DRBD keeps at most ${rule.max})`, fix})
  }
  const passwords = secrets.fencePasswords
  if (passwords && typeof passwords === 'object') {
    for (const [node, value] of Object.entries(passwords)) {
      // Written alone into a 0400 file that fence_ipmilan's password_script prints: one line, no control characters.
      if (typeof value === 'string' && /[\x00-\x1f\x7f]/.test(value)) {
        out.push({path: `fencePasswords.${node}`, message: 'holds a line break or control character; a BMC password is one line of printable characters', fix: 'write the password on one line, quoted: `node1: "pa55word"`'})
      }
    }
  }
  return out
}
