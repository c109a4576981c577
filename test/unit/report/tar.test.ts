import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {tarGz} from '../../../src/report/tar.js'

describe('tarGz', () => {
  it('writes an archive GNU tar lists and extracts byte for byte, long paths included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hapair-tar-'))
    const long = `b/${'x'.repeat(90)}/${'y'.repeat(40)}.txt`
    const binary = Buffer.from([0, 1, 2, 255, 10, 13])
    const archive = join(dir, 'a.tar.gz')
    writeFileSync(archive, tarGz([{path: 'b/one.txt', content: 'hello\n'}, {path: 'b/bin', content: binary, mode: 0o600}, {path: long, content: 'z'.repeat(513)}], new Date('2026-12-07T18:00:00Z')))
    const listed = execFileSync('tar', ['-tzvf', archive], {encoding: 'utf8'})
    assert.match(listed, /^drwxr-xr-x root\/root +0 2026-12-07 \d\d:00 b\/$/m)
    assert.match(listed, /^-rw------- root\/root +6 .* b\/bin$/m)
    execFileSync('tar', ['-xzf', archive, '-C', dir])
    assert.equal(readFileSync(join(dir, 'b/one.txt'), 'utf8'), 'hello\n')
    assert.deepEqual(readFileSync(join(dir, 'b/bin')), binary)
    assert.equal(readFileSync(join(dir, long), 'utf8'), 'z'.repeat(513))
    assert.equal(statSync(join(dir, 'b/bin')).mode & 0o777, 0o600)
  })

  it('refuses a path that would leave the folder it is extracted in', () => {
    assert.throws(() => tarGz([{path: '../etc/passwd', content: ''}], new Date()), /not a plain relative path/)
    assert.throws(() => tarGz([{path: '/etc/passwd', content: ''}], new Date()), /not a plain relative path/)
  })
})
