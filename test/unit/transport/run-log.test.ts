import assert from 'node:assert/strict'
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, it} from 'node:test'
import {findSecretLeaks} from '../../../src/state/secret-encodings.js'
import {mask, RunLog} from '../../../src/transport/run-log.js'

describe('mask', () => {
  it('hides every occurrence of every secret', () => {
    assert.equal(mask('pass=s3cret; again s3cret; key=abcdef', ['s3cret', 'abcdef']), 'pass=********; again ********; key=********')
  })

  it('hides a longer secret whole even when it contains a shorter one', () => {
    assert.equal(mask('x=hunter2hunter2 y=hunter2', ['hunter2', 'hunter2hunter2']), 'x=******** y=********')
  })

  it('ignores empty secrets and leaves text without secrets alone', () => {
    assert.equal(mask('nothing to see', ['', 'absent']), 'nothing to see')
  })

  it('hides a secret inside base64 (a file read with base64 -w0) and hex, at any alignment', () => {
    for (const prefix of ['', 'a', 'ab']) {
      const b64 = Buffer.from(`${prefix}auth_pass s3cretPw\n`).toString('base64')
      assert.deepEqual(findSecretLeaks(mask(`stdout ${b64}`, ['s3cretPw']), ['s3cretPw']), [])
    }
    assert.equal(mask(Buffer.from('s3cretPw').toString('hex'), ['s3cretPw']), '********')
  })

  it('treats regex characters in secrets literally', () => {
    assert.equal(mask('a.b+c a-b-c', ['a.b+c']), '******** a-b-c')
  })
})

describe('RunLog', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hapair-log-'))
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  const now = new Date('2025-03-04T05:06:07.890Z')

  it('creates <timestamp>-<command>.log (0600) and records commands with secrets masked', () => {
    const log = RunLog.create({dir: join(dir, 'logs'), command: 'setup', secrets: ['TopSecret123'], now})
    assert.equal(log.path, join(dir, 'logs', '2025-03-04T05-06-07Z-setup.log'))
    assert.equal(statSync(log.path).mode & 0o777, 0o600)
    log.note('node1: connected')
    log.record({node: 'node1', label: 'write drbd config', script: "echo 'TopSecret123' > /etc/x", code: 0, durationMs: 12.4, stdout: 'ok TopSecret123\n', stderr: ''})
    log.record({node: 'node2', label: 'sleep', script: 'sleep 99', durationMs: 500, stdout: '', stderr: '', error: 'timed out'})
    const text = readFileSync(log.path, 'utf8')
    assert.ok(!text.includes('TopSecret123'), 'the secret never reaches the disk')
    assert.match(text, /node1: connected/)
    assert.match(text, /node1 "write drbd config" exit 0 \(12 ms\)\n--- script\necho '\*\*\*\*\*\*\*\*' > \/etc\/x\n--- stdout\nok \*\*\*\*\*\*\*\*\n/)
    assert.match(text, /node2 "sleep" did not finish: timed out \(500 ms\)/)
    assert.doesNotMatch(text, /--- stderr/, 'empty sections are left out')
  })

  it('logs only the label of a sensitive script', () => {
    const log = RunLog.create({dir, command: 'setup', secrets: [], now})
    log.record({node: 'n', label: 'write /etc/drbd.d/r0.res', script: 'base64 -d <<<c2VjcmV0', code: 0, durationMs: 1, stdout: '', stderr: '', sensitive: true})
    const text = readFileSync(log.path, 'utf8')
    assert.doesNotMatch(text, /c2VjcmV0/)
    assert.match(text, /\(not logged: carries secrets\)/)
  })

  it('does not overwrite a log of the same second', () => {
    const a = RunLog.create({dir, command: 'drill failover', secrets: [], now})
    const b = RunLog.create({dir, command: 'drill failover', secrets: [], now})
    assert.notEqual(a.path, b.path)
    assert.deepEqual(readdirSync(dir).sort(), ['2025-03-04T05-06-07Z-drill-failover-2.log', '2025-03-04T05-06-07Z-drill-failover.log'])
  })
})
