import type {Fact} from './fact.js'

export type PackageFamily = 'apt' | 'dnf' | 'yum'

export interface OsInfo {
  id: string
  versionId: string
  prettyName: string
  family: PackageFamily | 'unknown'
  hostname: string
}

/** Distro and package family, from os-release and which package manager is present. */
export const osFact: Fact<OsInfo> = {
  command: `. /etc/os-release 2>/dev/null; echo "id=\${ID:-}"; echo "version=\${VERSION_ID:-}"; echo "pretty=\${PRETTY_NAME:-}"
for pm in apt-get dnf yum; do command -v $pm >/dev/null && { echo "pm=$pm"; break; }; done
echo "hostname=$(uname -n)"`,
  parse(stdout) {
    const kv = keyValues(stdout)
    const pm = kv.pm === 'apt-get' ? 'apt' : kv.pm === 'dnf' || kv.pm === 'yum' ? kv.pm : 'unknown'
    return {id: kv.id ?? '', versionId: kv.version ?? '', prettyName: kv.pretty ?? '', family: pm, hostname: kv.hostname ?? ''}
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
