import {shq, type Fact} from './fact.js'
import type {PackageFamily} from '../distro/family.js'

/** Which of the given packages are installed, asking dpkg or rpm, whichever the node has. */
export function installedPackagesFact(names: Record<PackageFamily, string[]>): Fact<Set<string>> {
  const apt = names.apt.map(shq).join(' ')
  const rpm = [...new Set([...names.dnf, ...names.yum])].map(shq).join(' ')
  return {
    command: `if command -v dpkg-query >/dev/null; then
  for p in ${apt}; do [ "$(dpkg-query -W -f='\${Status}' "$p" 2>/dev/null)" = "install ok installed" ] && echo "$p"; done
else
  for p in ${rpm}; do rpm -q "$p" >/dev/null 2>&1 && echo "$p"; done
fi; true`,
    parse: (stdout) => new Set(stdout.split('\n').map((l) => l.trim()).filter(Boolean)),
  }
}
