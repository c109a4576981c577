/**
 * Which distributions hapair supports and which package family each one is: the ONE judge.
 * Steps call `familyOf` (a refusal stops the step), preflight calls `judgeDistro` (a finding);
 * both read the same verdict, so the two can never disagree about a node.
 */
import {RefusalError} from '../errors.js'

export type PackageFamily = 'apt' | 'dnf' | 'yum'
export const PACKAGE_FAMILIES: readonly PackageFamily[] = ['apt', 'dnf', 'yum']

/** What os-release and PID 1 say about a node (see facts/os.ts). */
export interface OsRelease {
  /** os-release ID (debian, ubuntu, rhel, almalinux, rocky, centos, ...). */
  id: string
  /** os-release ID_LIKE, split (`rhel centos fedora`). */
  idLike: string[]
  versionId: string
  prettyName: string
  /** `systemd` when /run/systemd/system exists (sd_booted), else PID 1's name; `unknown` when not read. */
  init: string
}

/**
 * The releases hapair is built and tested for (docs/distros.md says how each is proven). EL
 * releases are matched on the major version: 9.4 is 9. CentOS Stream shares ID=centos with
 * CentOS Linux but not its versions (8, 9 are Stream), so it is not supported by this table.
 */
const SUPPORTED: Array<{ids: string[]; versions: string[]; family: PackageFamily; label: string}> = [
  {ids: ['debian'], versions: ['11', '12'], family: 'apt', label: 'Debian 11/12'},
  {ids: ['ubuntu'], versions: ['22.04', '24.04'], family: 'apt', label: 'Ubuntu 22.04/24.04'},
  {ids: ['rhel', 'almalinux', 'rocky'], versions: ['8', '9'], family: 'dnf', label: 'RHEL/AlmaLinux/Rocky 8/9'},
  {ids: ['centos'], versions: ['7'], family: 'yum', label: 'CentOS 7'},
]

export const SUPPORTED_LABEL = SUPPORTED.map((s) => s.label).join(', ')

const versionMatches = (wanted: string, versionId: string) => versionId === wanted || (!wanted.includes('.') && versionId.split('.')[0] === wanted)

/** The family of a supported release, or undefined. Pure: used by the os fact's parser. */
export function supportedFamily(id: string, versionId: string): PackageFamily | undefined {
  return SUPPORTED.find((s) => s.ids.includes(id) && s.versions.some((v) => versionMatches(v, versionId)))?.family
}

/** `ID=rocky VERSION_ID=9.4`: what was found, as os-release spells it. */
export function foundText(os: OsRelease): string {
  return `ID=${os.id || '?'} VERSION_ID=${os.versionId || '?'}${os.idLike.length ? ` ID_LIKE="${os.idLike.join(' ')}"` : ''}`
}

/** The family an unsupported distribution most likely behaves as (from ID and ID_LIKE), to suggest with --force-distro. */
export function likelyFamily(os: Pick<OsRelease, 'id' | 'idLike'>): PackageFamily | undefined {
  const ids = [os.id, ...os.idLike]
  if (ids.some((i) => i === 'debian' || i === 'ubuntu')) return 'apt'
  if (ids.some((i) => i === 'rhel' || i === 'fedora' || i === 'centos')) return 'dnf'
  return undefined
}

export type DistroVerdict =
  | {ok: true; family: PackageFamily; forced: boolean; message: string}
  | {ok: false; message: string; hint: string}

/**
 * The verdict on one node. `force` (--force-distro) goes on with that family on a distribution
 * outside the table, at the user's risk; it does not override a supported distribution's own
 * family, nor a missing systemd (every step drives services with systemctl).
 */
export function judgeDistro(os: OsRelease & {family: PackageFamily | 'unknown'}, force?: PackageFamily): DistroVerdict {
  const name = os.prettyName || os.id || 'unknown distribution'
  if (os.init !== 'systemd' && os.init !== 'unknown') {
    return {ok: false, message: `${name}: PID 1 is ${os.init || 'unknown'}, not systemd`, hint: 'hapair starts, stops and enables services with systemctl: use a systemd-based installation'}
  }
  if (os.family !== 'unknown') return {ok: true, family: os.family, forced: false, message: `${name} (${foundText(os)}), packages by ${os.family}`}
  if (force) return {ok: true, family: force, forced: true, message: `${name} (${foundText(os)}) is not supported; going on as ${force} because of --force-distro`}
  const guess = likelyFamily(os)
  return {
    ok: false,
    message: `${name} (${foundText(os)}) is not a supported distribution`,
    hint: `hapair supports ${SUPPORTED_LABEL}; to go on at your own risk, pass --force-distro ${guess ?? 'apt|dnf|yum'}${guess ? ` (it looks like the ${guess} family)` : ''}`,
  }
}

/** The node's package family for a step, or a refusal naming the node and what was found. */
export function familyOf(node: {name: string}, os: OsRelease & {family: PackageFamily | 'unknown'}, force?: PackageFamily): PackageFamily {
  const verdict = judgeDistro(os, force)
  if (!verdict.ok) throw new RefusalError(`${node.name}: ${verdict.message}`, verdict.hint)
  return verdict.family
}
