import {hostname} from 'node:os'
import type {RunRecord} from './state-file.js'

/** Whether a process of this host still runs (signal 0 reaches it, or exists but is not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Whether the process that recorded a run still runs: same host and its pid alive. A run from
 * another host is given the benefit of the doubt; one without a pid (written before pids were
 * recorded) cannot still be running this hapair.
 */
export function runProcessAlive(run: RunRecord, thisHost = hostname()): boolean {
  if (run.pid === undefined) return false
  if (run.host !== undefined && run.host !== thisHost) return true
  return pidAlive(run.pid)
}
