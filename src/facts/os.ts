import type {Fact} from './fact.js'
import {supportedFamily, type OsRelease, type PackageFamily} from '../distro/family.js'

export interface OsInfo extends OsRelease {
  /** The family of a supported release (distro/family.ts); `unknown` for anything else. */
  family: PackageFamily | 'unknown'
  /** The first of apt-get, dnf, yum found on the node (null: none). */
  packageManager: PackageFamily | null
  hostname: string
}

/**
 * os-release (ID, ID_LIKE, VERSION_ID), the package manager present, the hostname and whether
 * systemd is PID 1 (`/run/systemd/system` exists exactly then: sd_booted(3)).
 */
export const osFact: Fact<OsInfo> = {
  command: `. /etc/os-release 2>/dev/null || . /usr/lib/os-release 2>/dev/null; echo "id=\${ID:-}"; echo "like=\${ID_LIKE:-}"; echo "version=\${VERSION_ID:-}"; echo "pretty=\${PRETTY_NAME:-}"
for pm in apt-get dnf yum; do command -v $pm >/dev/null && { echo "pm=$pm"; break; }; done
echo "hostname=$(uname -n)"
if [ -d /run/systemd/system ]; then echo "init=systemd"; else echo "init=$(cat /proc/1/comm 2>/dev/null)"; fi`,
  parse(stdout) {
    const kv = keyValues(stdout)
    const pm = kv.pm === 'apt-get' ? 'apt' : kv.pm === 'dnf' || kv.pm === 'yum' ? kv.pm : null
    const id = kv.id ?? ''
    const versionId = kv.version ?? ''
    return {
      id,
      idLike: (kv.like ?? '').split(/\s+/).filter(Boolean),
      versionId,
      prettyName: kv.pretty ?? '',
      family: supportedFamily(id, versionId) ?? 'unknown',
      packageManager: pm,
      hostname: kv.hostname ?? '',
      // Recordings older than the init line say nothing about PID 1: unknown, not refused.
      init: kv.init === undefined ? 'unknown' : kv.init.trim() || 'unknown',
    }
  },
}

/** Lines of `key=value` into an object (first `=` splits). */
export function keyValues(stdout: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=')
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1)
  }
  return out
}
