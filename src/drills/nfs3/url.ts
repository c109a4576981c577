/**
 * `nfs://HOST/path/to/file?version=3` as the drill writes it (see nfsUrl in client-writer.ts):
 * host, absolute path with `.`/`..` refused, and only NFS version 3.
 */
export interface NfsTarget {
  host: string
  /** Absolute, normalised: `/data/.hapair-drill/run1/rec-000001`. */
  path: string
}

export function parseNfsUrl(url: string): NfsTarget {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new Error(`not an NFS URL: ${url}`)
  }
  if (u.protocol !== 'nfs:') throw new Error(`not an NFS URL (nfs://HOST/PATH): ${url}`)
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1')
  if (!host) throw new Error(`NFS URL without a host: ${url}`)
  const version = u.searchParams.get('version')
  if (version !== null && version !== '3') throw new Error(`this client speaks NFS version 3 only, the URL asks for version ${version}: ${url}`)
  const parts = u.pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p))
  if (parts.some((p) => p === '.' || p === '..' || p.includes('/'))) throw new Error(`NFS URL path must not contain . or .. segments or encoded slashes: ${url}`)
  return {host, path: `/${parts.join('/')}`}
}

/** Path segments of `path` below `root`, or undefined when `path` is not inside `root`. */
export function relativeTo(root: string, path: string): string[] | undefined {
  const r = root.split('/').filter(Boolean)
  const p = path.split('/').filter(Boolean)
  if (r.length > p.length || r.some((seg, i) => p[i] !== seg)) return undefined
  return p.slice(r.length)
}

/** `/a/b/c` -> `/a/b/c`, `/a/b`, `/a`, `/`: where an export root may be, longest first. */
export function prefixesLongestFirst(path: string): string[] {
  const p = path.split('/').filter(Boolean)
  const out: string[] = []
  for (let n = p.length; n >= 0; n--) out.push(`/${p.slice(0, n).join('/')}`)
  return out
}
