/**
 * Writes a file so that readers see the old content or the new, never half of it: a temp file
 * beside the target (same filesystem), fsync, then rename. The temp file is created with the
 * final mode, so a secret is never readable by others, not even for a moment.
 */
import {randomBytes} from 'node:crypto'
import {link, open, rename, unlink} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

export interface AtomicWriteOptions {
  mode?: number
  /** false: fail with EEXIST instead of replacing an existing file (the check and the write are one step). */
  overwrite?: boolean
}

export async function writeFileAtomic(path: string, content: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const mode = opts.mode ?? 0o644
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx', mode)
  try {
    await handle.chmod(mode) // the umask may have taken bits away; never adds any beyond `mode`
    await handle.writeFile(content) // a string is written as UTF-8
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    // link() refuses to replace an existing file, rename() replaces it atomically.
    if (opts.overwrite === false) {
      await link(temp, path)
      await unlink(temp)
    } else {
      await rename(temp, path)
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined)
    throw error
  }
  // The rename itself lives in the directory: sync it too, or a crash can forget the new name.
  const dir = await open(dirname(path), 'r').catch(() => undefined)
  await dir?.sync().catch(() => undefined)
  await dir?.close()
}
