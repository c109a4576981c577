/**
 * One contender in the lock race (lock.test.ts): takes the run lock in DIR and, if it got it,
 * records a run in the state file like a real run does, prints `got <run id>`, and keeps the lock
 * until its stdin closes (or it is killed). A refused contender prints `held <holder pid>`.
 */
import {acquireLock, LockHeldError} from '../../../src/state/lock.js'
import {StateFile} from '../../../src/state/state-file.js'

const dir = process.argv[2]
try {
  const release = acquireLock(dir, `lock-worker ${process.pid}`)
  const state = new StateFile(dir)
  const run = state.beginRun({command: `lock-worker ${process.pid}`, hapairVersion: 'test', clusterFile: 'x', clusterHash: 'x', dryRun: false})
  state.finishRun(run, 'ok')
  process.stdout.write(`got ${run.id}\n`)
  process.stdin.resume()
  process.stdin.on('end', () => {
    release()
    process.exit(0)
  })
} catch (error) {
  if (!(error instanceof LockHeldError)) throw error
  process.stdout.write(`held ${error.holder?.pid ?? 'unnamed'}\n`)
  process.exit(0)
}
