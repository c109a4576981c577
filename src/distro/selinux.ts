/**
 * SELinux: its mode and the booleans the HA stacks depend on, and what an enforcing node needs.
 * hapair keeps SELinux enforcing where the stack can work under it (booleans, file contexts) and
 * says exactly what would have to change where it cannot; it never switches SELinux off itself.
 */
import type {Fact} from '../facts/fact.js'

export type SelinuxMode = 'enforcing' | 'permissive' | 'disabled' | 'absent'

export interface SelinuxInfo {
  mode: SelinuxMode
  /** The booleans below, where the policy has them and getsebool could read them. */
  booleans: Record<string, boolean>
}

/** nfsd exporting read-write; cluster daemons (pacemaker, heartbeat) managing other services. */
export const SELINUX_BOOLEANS = ['nfs_export_all_rw', 'daemons_enable_cluster_mode'] as const

export const selinuxFact: Fact<SelinuxInfo> = {
  command: `if command -v getenforce >/dev/null; then getenforce
  for b in ${SELINUX_BOOLEANS.join(' ')}; do getsebool "$b" 2>/dev/null; done
else echo absent; fi; true`,
  parse(stdout) {
    const lines = stdout.split('\n').map((l) => l.trim())
    const word = lines.find((l) => /^(enforcing|permissive|disabled|absent)$/i.test(l))?.toLowerCase()
    const booleans: Record<string, boolean> = {}
    for (const line of lines) {
      const m = /^(\w+) --> (on|off)$/.exec(line)
      if (m) booleans[m[1]] = m[2] === 'on'
    }
    return {mode: (word as SelinuxMode | undefined) ?? 'absent', booleans}
  },
}

/** What the cluster asks of SELinux on a node (from the stack: served NFS, cluster daemons, keepalived scripts). */
export interface SelinuxNeeds {
  nfsExports: boolean
  clusterDaemons: boolean
  /** The directory of keepalived's check and notify scripts, when keepalived runs them. */
  keepalivedScriptDir: string | null
}

export interface SelinuxVerdict {
  level: 'ok' | 'warn' | 'fail'
  message: string
  fix?: string
}

/**
 * keepalived runs scripts in its own confined domain (keepalived_t), which may not mount, run
 * drbdadm or start nfs-server. Scripts labelled keepalived_unconfined_script_exec_t run
 * unconfined instead (RHEL 8.3+/9 policy). A file hapair writes is created beside the old one and
 * renamed, so it gets the directory's default label: restorecon must follow every write.
 */
export function keepalivedScriptFix(dir: string): string {
  return (
    `semanage fcontext -a -t keepalived_unconfined_script_exec_t '${dir}(/.*)?' && restorecon -Rv ${dir} (again after each ha-install); ` +
    `where the policy has no such type (seinfo -t keepalived_unconfined_script_exec_t finds none, e.g. CentOS 7), SELinux cannot allow the scripts as written: ` +
    `\`semanage permissive -a keepalived_t\` makes keepalived's domain alone permissive and keeps the rest enforcing`
  )
}

export function judgeSelinux(info: SelinuxInfo, needs: SelinuxNeeds): SelinuxVerdict {
  switch (info.mode) {
    case 'absent':
      return {level: 'ok', message: 'SELinux is not installed'}
    case 'disabled':
      return {level: 'ok', message: 'SELinux is disabled'}
    case 'permissive':
      return {level: 'ok', message: 'SELinux is permissive (it logs denials, blocks nothing)'}
  }
  const off: string[] = []
  const unread: string[] = []
  const wanted = [...(needs.nfsExports ? ['nfs_export_all_rw'] : []), ...(needs.clusterDaemons ? ['daemons_enable_cluster_mode'] : [])]
  for (const b of wanted) {
    if (info.booleans[b] === false) off.push(b)
    else if (info.booleans[b] === undefined) unread.push(b)
  }
  // Not auto-fixed: SELinux settings are a security decision, made by whoever owns the policy.
  const fixes = [...off.map((b) => `setsebool -P ${b} 1`), ...unread.map((b) => `check \`getsebool ${b}\` is on`)]
  if (needs.keepalivedScriptDir) fixes.push(keepalivedScriptFix(needs.keepalivedScriptDir))
  const on = wanted.filter((b) => info.booleans[b] === true)
  if (off.length) return {level: 'fail', message: `SELinux is enforcing and ${off.join(', ')} ${off.length === 1 ? 'is' : 'are'} off: the cluster would be denied at failover time`, fix: fixes.join('; ')}
  if (fixes.length === 0) return {level: 'ok', message: `SELinux is enforcing${on.length ? `; ${on.join(', ')} on` : ''}`}
  return {
    level: 'warn',
    message: `SELinux is enforcing${on.length ? ` (${on.join(', ')} on)` : ''}: ${needs.keepalivedScriptDir ? "keepalived's check and notify scripts are denied unless labelled" : 'booleans could not be read'}`,
    fix: `${fixes.join('; ')}; watch for denials with \`ausearch -m avc -ts recent\``,
  }
}
