/**
 * One run at a time per cluster: an exclusive flock(2) on `.hapair/lock`, held for the life of the
 * run through a file descriptor this process keeps open.
 *
 * Why flock and not "create the file exclusively": a lock file's existence has to be judged stale
 * when its process dies, and judging then deleting races (two takers, each deleting the lock the
 * other just made). A flock belongs to the open file description; the kernel drops it when the
 * last descriptor closes, which a process's death always does. There is nothing stale to judge.
 *
 * Node has no flock call, so the flock(1) utility does it on our descriptor: the descriptor is
 * handed to the child as its fd 3 (`flock -n 3`), which locks the shared open file description and
 * exits. The lock stays, held by our copy of that description, until we close it or die. The
 * attempt is one non-blocking system call: exactly one of any number of simultaneous takers wins.
 * The file is never deleted (unlinking a locked file lets the next taker lock a new inode while
 * the old one is still held); only its content, the holder's pid and command, is rewritten.
 */
import {spawnSync} from 'node:child_process'
import {closeSync, constants, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {HapairError, ExitCode} from '../errors.js'
import {pidAlive} from './run-alive.js'

export interface LockHolder {
  pid: number
  host: string
  command: string
  startedAt: string
}

/** flock(1)'s exit code when the lock is held by someone else (set with --conflict-exit-code). */
const HELD = 75

export class LockHeldError extends HapairError {
  constructor(readonly holder: LockHolder | undefined, path: string) {
    super(
      holder
        ? `another hapair run holds ${path}: pid ${holder.pid} on ${holder.host}, "${holder.command}", since ${holder.startedAt}`
        : `another hapair run holds ${path} (it has just started and not yet written its name)`,
      ExitCode.usage,
      'wait for it to finish; the lock is released the moment that process ends, however it ends',
    )
  }
}

/**
 * The holder named in the file. Between taking the lock and writing its name a new holder leaves
 * the previous holder's name in place (a killed run never clears it), so a name whose process is
 * gone is not the holder: the message then says the holder has just started.
 */
function readHolder(path: string): LockHolder | undefined {
  let holder: LockHolder
  try {
    holder = JSON.parse(readFileSync(path, 'utf8')) as LockHolder
  } catch {
    return undefined
  }
  if (typeof holder?.pid !== 'number') return undefined
  return holder.host === hostname() && !pidAlive(holder.pid) ? undefined : holder
}

/** Takes the lock or throws LockHeldError naming its holder; the returned function releases it. */
export function acquireLock(dir: string, command: string, now: () => Date = () => new Date()): () => void {
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const path = join(dir, 'lock')
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600)
  const r = spawnSync('flock', ['--nonblock', '--conflict-exit-code', String(HELD), '3'], {stdio: ['ignore', 'ignore', 'pipe', fd], encoding: 'utf8'})
  if (r.error || r.status !== 0) {
    closeSync(fd)
    if (r.status === HELD) throw new LockHeldError(readHolder(path), path)
    const why = r.error ? r.error.message : `flock exited ${r.status}: ${r.stderr.trim()}`
    throw new HapairError(`could not take the run lock ${path} (${why})`, ExitCode.usage, 'hapair needs flock(1) (util-linux) on this machine')
  }
  const me: LockHolder = {pid: process.pid, host: hostname(), command, startedAt: now().toISOString()}
  ftruncateSync(fd, 0)
  writeSync(fd, JSON.stringify(me) + '\n', 0)
  let released = false
  return () => {
    if (released) return
    released = true
    ftruncateSync(fd, 0) // no holder named once it is free
    closeSync(fd)
  }
}
