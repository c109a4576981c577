/** Processes the lab started, found by pid (pid files, `ip netns pids`), never by name. */
import {existsSync, readFileSync} from 'node:fs'
import {sleep} from './run.js'

export function isAlive(pid: number): boolean {
  try {
    // A zombie still answers kill(0); /proc/PID/stat tells it apart.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

export function processArgv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
  } catch {
    return []
  }
}

export function readPidFile(file: string): number | undefined {
  if (!existsSync(file)) return undefined
  const pid = Number(readFileSync(file, 'utf8').trim())
  return Number.isInteger(pid) && pid > 1 ? pid : undefined
}

/** Sends a signal and waits (up to timeoutMs) for the process to be gone. */
export async function killPid(pid: number, signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 10_000): Promise<boolean> {
  try {
    process.kill(pid, signal)
  } catch {
    return !isAlive(pid)
  }
  const deadline = Date.now() + timeoutMs
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false
    await sleep(50)
  }
  return true
}
