/**
 * NFS server facts: the kernel's export table as `exportfs -v` shows it, the effective nfs.conf
 * lease/grace values, and whether /var/lib/nfs is the copy kept on the DRBD filesystem.
 */
import {shq, type Fact} from './fact.js'
import {keyValues} from './os.js'

/** Where the NFS state that must follow the service lives: on the replicated filesystem. */
export const NFS_STATE_SUBDIR = '.hapair-nfs'
export const NFS_LIB = '/var/lib/nfs'

export interface ExportEntry {
  path: string
  /** As exportfs prints it; `*` is printed as `<world>`, which the parser turns back into `*`. */
  client: string
  options: string[]
}

export interface ExportfsInfo {
  /** exportfs exists on the node (nfs-utils installed). */
  available: boolean
  entries: ExportEntry[]
}

/**
 * `exportfs -v` lists the export table (etab) with every option spelled out. A path longer than
 * the column wraps its client onto the next, tab-indented line; short paths share the line.
 * Spaces in paths are printed as they are.
 * exportfs warnings go to stderr, which is dropped here so they cannot look like entries.
 */
export const exportfsFact: Fact<ExportfsInfo> = {
  command: `command -v exportfs >/dev/null || exit 127
exportfs -v 2>/dev/null`,
  parse(stdout, code) {
    if (code === 127) return {available: false, entries: []}
    return {available: true, entries: parseExportfs(stdout)}
  },
}

export function parseExportfs(stdout: string): ExportEntry[] {
  const entries: ExportEntry[] = []
  let path: string | undefined
  for (const raw of stdout.split('\n')) {
    if (!raw.trim()) continue
    let rest = raw
    if (!/^\s/.test(raw)) {
      // "<path> <client>(<opts>)" or the path alone (the client follows on the next line). Paths
      // may hold spaces (exportfs -v prints them as they are), clients and options never do.
      const m = /^(.*?)\s+(\S+\(.*\))\s*$/.exec(raw)
      path = unescapeOctal(m ? m[1] : raw.trim())
      rest = m ? m[2] : ''
    }
    const client = /^\s*(\S+?)\((.*)\)\s*$/.exec(rest)
    if (client && path) {
      entries.push({
        path,
        client: client[1] === '<world>' ? '*' : client[1],
        options: client[2].split(',').filter(Boolean),
      })
    }
  }
  return entries
}

/** Octal escapes (a backslash and 040 for a space) as exports(5) and /proc/mounts write them; harmless when there are none. */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)))
}

export interface NfsConfInfo {
  /** /etc/nfs.conf.d exists: this nfs-utils reads drop-ins (2.5+; Debian 12 has 2.6.2). */
  dropInDir: boolean
  /** `nfsconf` exists, so the effective values below are what the daemons will read. */
  nfsconf: boolean
  leaseTime: number | null
  graceTime: number | null
}

/** The effective [nfsd] lease-time / grace-time, merged by nfs-utils' own parser from nfs.conf and its drop-ins. */
export const nfsConfFact: Fact<NfsConfInfo> = {
  command: `[ -d /etc/nfs.conf.d ] && echo dropin=yes || echo dropin=no
if command -v nfsconf >/dev/null; then
  echo nfsconf=yes
  echo "lease=$(nfsconf --get nfsd lease-time 2>/dev/null)"
  echo "grace=$(nfsconf --get nfsd grace-time 2>/dev/null)"
else echo nfsconf=no; fi`,
  parse(stdout) {
    const kv = keyValues(stdout)
    const num = (v: string | undefined) => (v && /^\d+$/.test(v.trim()) ? Number(v.trim()) : null)
    return {dropInDir: kv.dropin === 'yes', nfsconf: kv.nfsconf === 'yes', leaseTime: num(kv.lease), graceTime: num(kv.grace)}
  },
}

export interface NfsStateInfo {
  /** Device mounted on the mount point, or null. */
  mountedSource: string | null
  /** /var/lib/nfs currently is `<mountPoint>/.hapair-nfs` (bind-mounted by the notify script). */
  stateBound: boolean
}

/** Whether this node holds the NFS service's storage: the mount, and the state bind over /var/lib/nfs. */
export function nfsStateFact(mountPoint: string): Fact<NfsStateInfo> {
  const mp = shq(mountPoint)
  const state = shq(`${mountPoint.replace(/\/+$/, '')}/${NFS_STATE_SUBDIR}`)
  return {
    command: `echo "mounted=$(findmnt -rn -o SOURCE --mountpoint ${mp} 2>/dev/null | head -n1)"
if [ -d ${state} ] && [ "$(stat -c %d:%i ${NFS_LIB} 2>/dev/null)" = "$(stat -c %d:%i ${state} 2>/dev/null)" ]; then echo bound=yes; else echo bound=no; fi`,
    parse(stdout) {
      const kv = keyValues(stdout)
      return {mountedSource: kv.mounted?.trim() || null, stateBound: kv.bound === 'yes'}
    },
  }
}
