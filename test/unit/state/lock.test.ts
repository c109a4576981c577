import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'
import {acquireLock, LockHeldError} from '../../../src/state/lock.js'
import {StateFile} from '../../../src/state/state-file.js'

const WORKER = fileURLToPath(new URL('./lock-worker.js', import.meta.url))
const tmp = () => mkdtempSync(join(tmpdir(), 'hapair-lock-'))

describe('run lock', () => {
  it('a second taker is refused with the holder pid and command; release frees it and names no one', () => {
    const dir = tmp()
    const release = acquireLock(dir, 'run nfs-keepalived', () => new Date('2026-01-02T03:04:05Z'))
    assert.throws(
      () => acquireLock(dir, 'partition'),
      (e: unknown) => e instanceof LockHeldError && e.message.includes(`pid ${process.pid} on ${hostname()}, "run nfs-keepalived", since 2026-01-02T03:04:05.000Z`),
    )
    release()
    assert.equal(readFileSync(join(dir, 'lock'), 'utf8'), '')
    acquireLock(dir, 'again')()
  })

  it('a lock file left behind by a dead run (any content) is not a held lock', () => {
    const dir = tmp()
    writeFileSync(join(dir, 'lock'), JSON.stringify({pid: 2 ** 22 + 12345, host: hostname(), command: 'x', startedAt: ''}))
    const release = acquireLock(dir, 'mine')
    assert.match(readFileSync(join(dir, 'lock'), 'utf8'), /"mine"/)
    release()
  })

  interface Contender {
    child: ChildProcess
    line: Promise<string>
  }

  function start(dir: string): Contender {
    const child = spawn(process.execPath, [WORKER, dir], {stdio: ['pipe', 'pipe', 'inherit']})
    started.push(child)
    let out = ''
    const line = new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        out += d
        if (out.includes('\n')) resolve(out.trim())
      })
      child.on('exit', (code) => (out.includes('\n') ? undefined : reject(new Error(`lock worker exited ${code} without answering`))))
    })
    return {child, line}
  }

  const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())))

  const started: ChildProcess[] = []
  // A failed assertion must not leave a winner waiting on its stdin (the test file would never end).
  afterEach(() => {
    for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  })

  it('20 runs started at once against a stale lock, many rounds: exactly one proceeds each round, and each one that did is in the state file', {timeout: 300_000}, async () => {
    const dir = tmp()
    // The stale lock: a holder killed with SIGKILL while it held the lock (and had its name written).
    const first = start(dir)
    assert.match(await first.line, /^got /)
    first.child.kill('SIGKILL')
    await exited(first.child)
    const proceeded: string[] = [(await first.line).slice(4)]
    for (let round = 0; round < 6; round++) {
      const contenders = Array.from({length: 20}, () => start(dir))
      const lines = await Promise.all(contenders.map((c) => c.line))
      const winners = lines.filter((l) => l.startsWith('got '))
      assert.equal(winners.length, 1, `round ${round}: ${lines.join(', ')}`)
      const winner = contenders[lines.indexOf(winners[0])].child
      // Every refused contender named the winner (or saw it before its name was written).
      for (const l of lines.filter((x) => !x.startsWith('got '))) assert.match(l, new RegExp(`^held (${winner.pid}|unnamed)$`))
      proceeded.push(winners[0].slice(4))
      // Alternate how the winner ends: killed (the kernel drops the lock) or released at exit.
      if (round % 2 === 0) winner.kill('SIGKILL')
      for (const c of contenders) c.child.stdin!.end()
      await Promise.all(contenders.map((c) => exited(c.child)))
    }
    const recorded = new StateFile(dir).runs.map((r) => r.id)
    assert.deepEqual(recorded, proceeded)
  })
})
