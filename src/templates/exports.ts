/**
 * The export table hapair owns: /etc/exports.d/hapair.exports, a pure function of the cluster
 * file. Both nodes get the same file; only the node holding the VIP runs the NFS server.
 */
import type {ClusterConfig} from '../config/schema.js'

export const EXPORTS_PATH = '/etc/exports.d/hapair.exports'
export const EXPORTS_MODE = 0o644

type NfsExport = NonNullable<ClusterConfig['nfs']>['exports'][number]

/**
 * A stable fsid for an export path (FNV-1a, 31 bits, never 0: fsid=0 means the NFSv4 pseudo-root).
 * File handles embed the fsid; by default it comes from the device number or filesystem UUID,
 * and a handle that changes across a failover is a "Stale file handle" on every client. Pinning
 * it per path, independent of the export's position in the list, keeps handles identical on both
 * nodes and across edits of the cluster file.
 */
export function exportFsid(path: string): number {
  let h = 0x811c9dc5
  for (const byte of Buffer.from(path, 'utf8')) {
    h ^= byte
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return (h & 0x7fffffff) || 1
}

/**
 * `mp` (exports(5) "mountpoint"): mountd exports the path only while the replicated filesystem is
 * mounted on `mountPoint`. Without it an nfsd that starts (or keeps running) while the filesystem
 * is not mounted, say between a release's unmount and the server's stop, serves the empty
 * directory underneath: clients' writes land on the node's root disk, are acknowledged, and are
 * not on the replicated disk when it comes back. mountd checks when it resolves a client's request,
 * not once at exportfs time, so this holds through every transition. Bare `mp` when the export is
 * the mount point itself. An option value cannot hold whitespace, commas or parentheses; a mount
 * point with those gets no `mp` (the validator does not forbid such a directory).
 */
export function mountpointOption(exportPath: string, mountPoint: string | undefined): string | undefined {
  if (!mountPoint) return undefined
  if (exportPath === mountPoint) return 'mp'
  return /[\s,()]/.test(mountPoint) ? undefined : `mp=${mountPoint}`
}

/** The options written for one export: the user's, plus the HA defaults unless the user chose otherwise. */
export function exportOptions(exp: NfsExport, mountPoint?: string): string[] {
  const opts = [...exp.options]
  // Silences exportfs' "Neither subtree_check or no_subtree_check specified" warning; it is the default anyway.
  if (!opts.some((o) => o === 'subtree_check' || o === 'no_subtree_check')) opts.push('no_subtree_check')
  if (!opts.some((o) => o.startsWith('fsid='))) opts.push(`fsid=${exportFsid(exp.path)}`)
  const mp = mountpointOption(exp.path, mountPoint)
  if (mp && !opts.some((o) => /^(mp|mountpoint)(=|$)/.test(o))) opts.push(mp)
  return opts
}

/** Paths with whitespace are double-quoted in exports(5); others are written as they are. */
function exportPath(path: string): string {
  return /\s/.test(path) ? `"${path}"` : path
}

export function renderExports(config: ClusterConfig): string {
  const nfs = config.nfs
  if (!nfs) throw new Error('renderExports: the cluster file has no nfs section')
  // One line per path, its clients in cluster-file order: one path, one fsid.
  const byPath = new Map<string, NfsExport[]>()
  for (const exp of nfs.exports) byPath.set(exp.path, [...(byPath.get(exp.path) ?? []), exp])
  const lines = [...byPath].map(([path, exps]) => {
    const mountPoint = config.filesystem?.mountPoint
    const clients = exps.map((e) => {
      const opts = exportOptions(e, mountPoint)
      const fsid = opts.find((o) => o.startsWith('fsid='))
      const first = exportOptions(exps[0], mountPoint).find((o) => o.startsWith('fsid='))
      // Every client of a path shares the first entry's fsid (the user may have set one there only).
      const aligned = fsid === first ? opts : opts.map((o) => (o.startsWith('fsid=') ? first! : o))
      // `clients` may name several hosts/networks separated by spaces: each gets the options.
      return e.clients
        .trim()
        .split(/\s+/)
        .map((c) => `${c}(${aligned.join(',')})`)
        .join(' ')
    })
    return `${exportPath(path)} ${clients.join(' ')}`
  })
  return [
    `# managed by hapair (cluster ${config.name}): edit the cluster file and re-run hapair, not this file.`,
    `# Served only by the node holding the VIP ${config.vip.address}; the paths live on the DRBD filesystem.`,
    ...lines,
    '',
  ].join('\n')
}
