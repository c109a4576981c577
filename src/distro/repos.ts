/**
 * Repositories a package needs beyond a distribution's defaults, and the exact command that
 * enables each one. The install step reads the enabled repositories first (repolistFact) and
 * refuses with these commands, instead of letting dnf fail with "No match for argument".
 *
 * EL ships no DRBD: ELRepo has kmod-drbd9x/drbd9x-utils (EL 8/9) and kmod-drbd90/drbd90-utils
 * (EL 7). Pacemaker, corosync, pcs and resource-agents live in EL 8/9's HighAvailability repo
 * (disabled by default on Alma/Rocky, a subscription add-on on RHEL); CentOS 7 has them in base.
 * Nothing hapair installs needs EPEL (keepalived and ipvsadm are in AppStream/base).
 */
import type {Fact} from '../facts/fact.js'
import type {OsRelease, PackageFamily} from './family.js'

export interface RepoNeed {
  /** What the user knows it as. */
  name: string
  /** Is one of the enabled repository ids this repository? */
  enabled(ids: string[]): boolean
  /** The commands that enable it on this node. */
  enable: string
}

/** ELRepo for an EL release (`versionId` 7.x, 8.x, 9.x). */
export function elrepo(os: Pick<OsRelease, 'versionId'>, family: PackageFamily): RepoNeed {
  const v = os.versionId.split('.')[0]
  // ELRepo signs EL 9 packages with its v2 key; EL 7 and 8 with the original one.
  const key = v === '9' ? 'RPM-GPG-KEY-v2-elrepo.org' : 'RPM-GPG-KEY-elrepo.org'
  return {
    name: 'ELRepo',
    enabled: (ids) => ids.includes('elrepo'),
    enable: `rpm --import https://www.elrepo.org/${key} && ${family} install -y https://www.elrepo.org/elrepo-release-${v}.el${v}.elrepo.noarch.rpm`,
  }
}

function highAvailability(os: OsRelease): RepoNeed {
  const v = os.versionId.split('.')[0]
  if (os.id === 'rhel') {
    const id = `rhel-${v}-for-$(arch)-highavailability-rpms`
    return {name: 'the RHEL High Availability add-on', enabled: (ids) => ids.some((i) => new RegExp(`^rhel-${v}-for-[\\w]+-highavailability-rpms$`).test(i)), enable: `subscription-manager repos --enable=${id}`}
  }
  // Alma and Rocky call it `ha` in release 8 and `highavailability` from 9 on.
  const id = v === '8' ? 'ha' : 'highavailability'
  return {name: 'HighAvailability', enabled: (ids) => ids.includes(id), enable: `dnf config-manager --set-enabled ${id}`}
}

const ELREPO_PACKAGES = new Set(['kmod-drbd9x', 'drbd9x-utils', 'kmod-drbd90', 'drbd90-utils'])
const HA_PACKAGES = new Set(['pacemaker', 'corosync', 'pcs', 'resource-agents', 'fence-agents-ipmilan', 'corosync-qdevice'])

/**
 * The repository a package comes from on this node, when it is not enabled by default; undefined
 * for the distribution's own repositories. Only supported releases are known (a forced family
 * on another distribution gets no advice, and no refusal).
 */
export function repoFor(pkg: string, os: OsRelease & {family: PackageFamily | 'unknown'}): RepoNeed | undefined {
  if (os.family === 'dnf' || os.family === 'yum') {
    if (ELREPO_PACKAGES.has(pkg)) return elrepo(os, os.family)
    if (os.family === 'dnf' && HA_PACKAGES.has(pkg)) return highAvailability(os)
  }
  return undefined
}

export interface MissingRepo {
  repo: RepoNeed
  packages: string[]
}

/** The repositories these packages need that the node has not enabled, each with the packages that need it. */
export function missingRepos(packages: string[], os: OsRelease & {family: PackageFamily | 'unknown'}, repos: Repolist): MissingRepo[] {
  if (repos.tool === null) return []
  const out: MissingRepo[] = []
  for (const pkg of packages) {
    const repo = repoFor(pkg, os)
    if (!repo || repo.enabled(repos.enabled)) continue
    const seen = out.find((m) => m.repo.name === repo.name)
    if (seen) seen.packages.push(pkg)
    else out.push({repo, packages: [pkg]})
  }
  return out
}

export interface Repolist {
  /** The tool that answered; null on a node without dnf or yum (apt nodes). */
  tool: 'dnf' | 'yum' | null
  /** Enabled repository ids, as `dnf config-manager` and `subscription-manager` name them. */
  enabled: string[]
}

/** Enabled repositories: `dnf repolist --enabled` or `yum repolist enabled` (`-q`: no plugin chatter). */
export const repolistFact: Fact<Repolist> = {
  command: `if command -v dnf >/dev/null; then echo "@dnf"; dnf -q repolist --enabled 2>&1
elif command -v yum >/dev/null; then echo "@yum"; yum -q repolist enabled 2>&1
else echo "@none"; fi`,
  parse(stdout) {
    const [first, ...rest] = stdout.split('\n')
    const tool = first.trim() === '@dnf' ? 'dnf' : first.trim() === '@yum' ? 'yum' : null
    return {tool, enabled: tool ? parseRepolist(rest.join('\n')) : []}
  },
}

/**
 * The id column of a repolist table. yum (EL 7) writes `base/7/x86_64` and may mark a repo `!`
 * (metadata expired) or `*`; dnf writes the bare id. Rows end at yum's `repolist: N` total.
 */
export function parseRepolist(text: string): string[] {
  const ids: string[] = []
  let inTable = false
  for (const line of text.split('\n')) {
    if (/^repo id\s/.test(line)) inTable = true
    else if (!inTable || /^repolist:/.test(line) || !line.trim()) continue
    else ids.push(line.trim().split(/\s+/)[0].replace(/^[!*]/, '').split('/')[0])
  }
  return ids
}
