/**
 * A gzipped ustar archive of in-memory files: what the support bundle needs and nothing more
 * (regular files and their directories, no links), so no archive dependency. Readable by any tar.
 */
import {gzipSync} from 'node:zlib'

export interface TarEntry {
  /** Relative path inside the archive, `/`-separated. */
  path: string
  content: Buffer | string
  mode?: number
}

const BLOCK = 512

export function tarGz(entries: TarEntry[], mtime: Date): Buffer {
  const parts: Buffer[] = []
  const dirs = new Set<string>()
  for (const entry of entries) {
    // Directories first, as tar writes them, so an extracting tar makes them with sane modes.
    const segments = entry.path.split('/')
    for (let i = 1; i < segments.length; i++) {
      const dir = `${segments.slice(0, i).join('/')}/`
      if (!dirs.has(dir)) {
        dirs.add(dir)
        parts.push(header(dir, 0, 0o755, mtime, '5'))
      }
    }
    const data = Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content, 'utf8')
    parts.push(header(entry.path, data.length, entry.mode ?? 0o644, mtime, '0'), data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK))
  }
  parts.push(Buffer.alloc(2 * BLOCK))
  return gzipSync(Buffer.concat(parts))
}

function header(path: string, size: number, mode: number, mtime: Date, type: '0' | '5'): Buffer {
  if (path.includes('..') || path.startsWith('/')) throw new Error(`tar: ${path} is not a plain relative path`)
  const h = Buffer.alloc(BLOCK)
  const [prefix, name] = splitPath(path)
  h.write(name, 0, 100, 'utf8')
  h.write(octal(mode, 8), 100)
  h.write(octal(0, 8), 108)
  h.write(octal(0, 8), 116)
  h.write(octal(size, 12), 124)
  h.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136)
  h.write('        ', 148) // the checksum counts its own field as spaces
  h.write(type, 156)
  h.write('ustar\u000000', 257)
  h.write('root', 265)
  h.write('root', 297)
  h.write(prefix, 345, 155, 'utf8')
  const sum = h.reduce((a, b) => a + b, 0)
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148)
  return h
}

/** ustar keeps names up to 100 bytes, plus a 155-byte prefix split at a `/`. */
function splitPath(path: string): [string, string] {
  if (Buffer.byteLength(path) <= 100) return ['', path]
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const [prefix, name] = [path.slice(0, i), path.slice(i + 1)]
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name.length > 0) return [prefix, name]
  }
  throw new Error(`tar: ${path} is too long for a ustar archive`)
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\u0000`
}
