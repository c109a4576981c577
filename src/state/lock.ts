/**
 * One run at a time per cluster: `.hapair/lock` is created exclusively and names its holder.
 * A lock whose process is gone (crash, kill -9) is stale and taken over.
 */
import {mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {HapairError, ExitCode} from '../errors.js'

export interface LockHolder {
  pid: number
  host: string
  command: string
  startedAt: string
}

export class LockHeldError extends HapairError {
  constructor(readonly holder: LockHolder, path: string) {
    super(
      `another hapair run holds ${path}: pid ${holder.pid} on ${holder.host}, "${holder.command}", since ${holder.startedAt}`,
      ExitCode.usage,
      'wait for it to finish; if that process is gone, delete the lock file',
    )
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function acquireLock(dir: string, command: string): () => void {
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const path = join(dir, 'lock')
  const me: LockHolder = {pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString()}
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600)
      writeSync(fd, JSON.stringify(me))
      closeSync(fd)
      return () => rmSync(path, {force: true})
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      let holder: LockHolder | undefined
      try {
        holder = JSON.parse(readFileSync(path, 'utf8')) as LockHolder
      } catch {
        holder = undefined // half-written or garbage: treat as stale
      }
      if (holder && holder.host === me.host && alive(holder.pid)) throw new LockHeldError(holder, path)
      if (holder && holder.host !== me.host) throw new LockHeldError(holder, path)
      rmSync(path, {force: true})
    }
  }
  throw new HapairError(`could not take the lock ${path}`, ExitCode.usage)
}
