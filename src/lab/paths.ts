import {existsSync, readFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

/** Where the lab keeps what it makes. Both roots can be moved by environment variables. */
export interface LabPaths {
  /** Runtime dir: keys, known_hosts, cluster file, per-guest overlays, disks, sockets, logs. */
  dir: string
  /** Image cache root; one subdirectory per recipe hash. */
  cache: string
  key: string
  knownHosts: string
  clusterFile: string
  stateFile: string
}

export interface GuestPaths {
  dir: string
  /** qcow2 overlay over the cached root.img (/dev/vda). */
  overlay: string
  /** The blank disk hapair partitions (/dev/vdb), qcow2 so checkpoints can snapshot it. */
  data: string
  /** Per-guest ext4 seed disk (/dev/vdc) and the tree it is made from. */
  seed: string
  seedTree: string
  hostKey: string
  pidFile: string
  qmpSocket: string
  serialLog: string
}

export function labPaths(env: NodeJS.ProcessEnv = process.env): LabPaths {
  const dir = resolve(env.HAPAIR_LAB_DIR || '/var/lib/hapair-lab')
  const cache = resolve(env.HAPAIR_LAB_CACHE || '/var/cache/hapair-lab')
  return {
    dir,
    cache,
    key: join(dir, 'id_ed25519'),
    knownHosts: join(dir, 'known_hosts'),
    clusterFile: join(dir, 'hapair.yaml'),
    stateFile: join(dir, 'lab.json'),
  }
}

export function guestPaths(paths: LabPaths, name: string): GuestPaths {
  const dir = join(paths.dir, name)
  return {
    dir,
    overlay: join(dir, 'root.qcow2'),
    data: join(dir, 'data.qcow2'),
    seed: join(dir, 'seed.img'),
    seedTree: join(dir, 'seed'),
    hostKey: join(dir, 'ssh_host_ed25519_key'),
    pidFile: join(dir, 'qemu.pid'),
    qmpSocket: join(dir, 'qmp.sock'),
    serialLog: join(dir, 'serial.log'),
  }
}

/** Per namespace node (addNamespaceNode): its pid file and logs. */
export function namespaceNodeDir(paths: LabPaths, name: string): string {
  return join(paths.dir, 'ns', name)
}

/**
 * The package root: the nearest directory above this module whose package.json is hapair's.
 * Compiled code runs from dist/src/lab, but src/lab/assets is not copied by tsc, so assets are
 * always read from <root>/src/lab/assets.
 */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'hapair') return dir
    if (dirname(dir) === dir) throw new Error(`cannot find the hapair package root above ${from}`)
  }
}

export function assetsDir(): string {
  return join(packageRoot(), 'src', 'lab', 'assets')
}
