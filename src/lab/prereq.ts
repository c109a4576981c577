/** What the host must have for the lab, with the Debian package that provides each missing piece. */
import {accessSync, constants, existsSync} from 'node:fs'
import {join} from 'node:path'
import {labEnv} from './run.js'

/** Programs the lab runs → the Debian package that has them. */
export const RUNTIME_TOOLS: Record<string, string> = {
  'qemu-system-x86_64': 'qemu-system-x86',
  'qemu-img': 'qemu-utils',
  ip: 'iproute2',
  bridge: 'iproute2',
  ssh: 'openssh-client',
  'ssh-keygen': 'openssh-client',
  'mkfs.ext4': 'e2fsprogs',
  truncate: 'coreutils',
  // The NFS client used from the client namespace against the VIP (the host kernel has no NFS client).
  'nfs-ls': 'libnfs-utils',
}

/** Needed only to build the base image (a cached image boots without them). */
export const BUILD_TOOLS: Record<string, string> = {
  debootstrap: 'debootstrap',
  busybox: 'busybox-static',
  'apt-ftparchive': 'apt-utils',
  unshare: 'util-linux',
  dpkg: 'dpkg',
  gzip: 'gzip',
}

export function findProgram(name: string): string | undefined {
  for (const dir of (labEnv().PATH ?? '').split(':')) {
    if (!dir) continue
    try {
      accessSync(join(dir, name), constants.X_OK)
      return join(dir, name)
    } catch {
      // not in this directory
    }
  }
  return undefined
}

/** Each missing prerequisite as a readable line; empty when the lab can run. */
export function missingPrerequisites(options: {build?: boolean} = {}): string[] {
  const missing: string[] = []
  if (process.getuid?.() !== 0) missing.push('root (the lab creates network namespaces, taps and qemu guests): run as root')
  const tools = {...RUNTIME_TOOLS, ...(options.build ? BUILD_TOOLS : {})}
  for (const [tool, pkg] of Object.entries(tools)) {
    if (!findProgram(tool)) missing.push(`${tool} (apt-get install ${pkg})`)
  }
  if (!existsSync('/dev/net/tun')) missing.push('/dev/net/tun (the kernel needs TUN/TAP)')
  return missing
}

/** The apt-get line that installs every host package the lab uses. */
export const HOST_PACKAGES = [
  'qemu-system-x86', 'qemu-utils', 'debootstrap', 'busybox-static', 'apt-utils', 'openssh-client',
  'iproute2', 'e2fsprogs', 'libnfs-utils',
]
