/**
 * What the base image is made of. The image cache is keyed by recipeHash(): change a package
 * list, a guest asset or the build script and the next `lab up` builds a new image.
 */
import {createHash} from 'node:crypto'

export interface ImageRecipe {
  suite: string
  /** Installed in the image (debootstrap --include). Not the HA packages. */
  basePackages: string[]
  /** Downloaded with their dependency closure into the image's local apt repository. */
  repoPackages: string[]
  /** Loaded by the busybox initramfs, with their dependencies, to mount /dev/vda. */
  initrdModules: string[]
  /** Kernel module subtrees a headless guest never loads; dropped to keep the image small. */
  pruneModules: string[]
  rootSize: string
}

export const RECIPE: ImageRecipe = {
  suite: 'bookworm',
  basePackages: [
    'systemd-sysv', 'openssh-server', 'udev', 'kmod', 'iproute2', 'e2fsprogs', 'procps',
    'iputils-ping', 'util-linux', 'ifupdown',
    // Not HA packages but needed by nearly all of them (nfs-common, crmsh, pcs, keepalived's
    // libsnmp); configuring them (byte-compiling python) takes minutes under emulation, so the
    // image carries them, as most real servers do.
    'python3', 'perl',
  ],
  repoPackages: [
    'drbd-utils', 'keepalived', 'heartbeat', 'corosync', 'pacemaker', 'crmsh', 'pcs',
    'resource-agents', 'nfs-kernel-server', 'ipvsadm',
    'fdisk', 'parted', 'xfsprogs', 'psmisc', 'chrony', 'rpcbind', 'nfs-common',
  ],
  initrdModules: ['crc32c_generic', 'ext4', 'virtio_pci', 'virtio_blk'],
  pruneModules: [
    'drivers/gpu', 'drivers/media', 'drivers/net/wireless', 'drivers/infiniband', 'drivers/staging',
    'drivers/iio', 'drivers/bluetooth', 'sound', 'net/bluetooth', 'net/wireless', 'net/mac80211',
  ],
  rootSize: '2G',
}

/**
 * Hash of the recipe and of every asset file the build reads (name and content). The mirror is
 * left out on purpose: any Debian mirror gives the same image.
 */
export function recipeHash(recipe: ImageRecipe, assets: Record<string, string | Buffer>): string {
  const h = createHash('sha256')
  h.update(JSON.stringify(recipe))
  for (const name of Object.keys(assets).sort()) {
    h.update(`\0${name}\0`)
    h.update(assets[name])
  }
  return h.digest('hex').slice(0, 16)
}

export interface Mirrors {
  mirror: string
  securityMirror: string
}

/** The environment build-image.sh reads. */
export function recipeEnv(recipe: ImageRecipe, mirrors: Mirrors): Record<string, string> {
  return {
    LAB_SUITE: recipe.suite,
    LAB_MIRROR: mirrors.mirror,
    LAB_SECURITY_MIRROR: mirrors.securityMirror,
    LAB_BASE_PACKAGES: recipe.basePackages.join(' '),
    LAB_REPO_PACKAGES: recipe.repoPackages.join(' '),
    LAB_INITRD_MODULES: recipe.initrdModules.join(' '),
    LAB_PRUNE_MODULES: recipe.pruneModules.join(' '),
    LAB_ROOT_SIZE: recipe.rootSize,
  }
}

/**
 * The Debian mirror the host's apt already uses (deb822 `URIs:` or one-line `deb URL`), so the
 * build reaches the same place apt does. Security updates come from the matching -security URL.
 */
export function mirrorsFromSources(sources: string): Mirrors | undefined {
  const urls: string[] = []
  for (const line of sources.split('\n')) {
    const deb822 = /^\s*URIs:\s*(.+)$/i.exec(line)
    const oneLine = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)/.exec(line)
    if (deb822) urls.push(...deb822[1].trim().split(/\s+/))
    else if (oneLine) urls.push(oneLine[1])
  }
  const clean = (u: string) => u.replace(/\/+$/, '')
  const main = urls.map(clean).find((u) => /^https?:\/\/.*\/debian$/.test(u))
  if (!main) return undefined
  const security = urls.map(clean).find((u) => /^https?:\/\/.*\/debian-security$/.test(u))
  return {mirror: main, securityMirror: security ?? main.replace(/\/debian$/, '/debian-security')}
}

export const DEFAULT_MIRRORS: Mirrors = {
  mirror: 'http://deb.debian.org/debian',
  securityMirror: 'http://deb.debian.org/debian-security',
}
