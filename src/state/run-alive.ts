import {hostname} from 'node:os'
import type {RunRecord} from './state-file.js'

/**
 * Whether the process that recorded a run still runs: same host and its pid answers signal 0.
 * A run from another host is given the benefit of the doubt; one without a pid (written before
 * pids were recorded) cannot still be running this hapair.
 */
export function runProcessAlive(run: RunRecord, thisHost = hostname()): boolean {
  if (run.pid === undefined) return false
  if (run.host !== undefined && run.host !== thisHost) return true
  try {
    process.kill(run.pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
