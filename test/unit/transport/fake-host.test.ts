import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {FakeHost} from '../../../src/transport/fake-host.js'
import {mustRun} from '../../../src/transport/must-run.js'
import {RemoteCommandError} from '../../../src/errors.js'

describe('FakeHost', () => {
  it('answers expected scripts (string, RegExp, predicate) and records every call', async () => {
    const host = new FakeHost('node1')
      .expect('drbdadm status', {stdout: 'r0 role:Primary\n'})
      .expect(/^systemctl is-active nfs/, {stdout: 'inactive\n', code: 3})
      .expect((s) => s.startsWith('mkfs'), (script) => ({stderr: `ran ${script}`}))
    const a = await host.run('drbdadm status r0', {label: 'status'})
    assert.deepEqual(a, {node: 'node1', label: 'status', code: 0, stdout: 'r0 role:Primary\n', stderr: '', durationMs: 0})
    const b = await host.run('systemctl is-active nfs-server')
    assert.equal(b.code, 3)
    assert.equal(b.label, 'systemctl is-active nfs-server', 'the label defaults to the first line')
    const c = await host.run('mkfs.ext4 /dev/drbd0')
    assert.equal(c.stderr, 'ran mkfs.ext4 /dev/drbd0')
    assert.deepEqual(host.scripts, ['drbdadm status r0', 'systemctl is-active nfs-server', 'mkfs.ext4 /dev/drbd0'])
    host.done()
  })

  it('rejects an unexpected script, showing its first lines and what is still expected', async () => {
    const host = new FakeHost('node2').expect('modprobe drbd')
    await assert.rejects(host.run('rm -rf /srv/data\necho gone', {label: 'wipe'}), (error: Error) => {
      assert.match(error.message, /FakeHost node2: unexpected script "wipe"/)
      assert.match(error.message, /\| rm -rf \/srv\/data\n {4}\| echo gone/)
      assert.match(error.message, /still expected: "modprobe drbd"/)
      return true
    })
    assert.equal(host.calls.length, 1, 'the unexpected call is recorded too')
  })

  it('uses each expectation once: a second identical run is unexpected', async () => {
    const host = new FakeHost('n').expect('uname -n', {stdout: 'n\n'})
    await host.run('uname -n')
    await assert.rejects(host.run('uname -n'), /unexpected script/)
  })

  it('done() throws when an expectation was never used', async () => {
    const host = new FakeHost('n').expect('a').expect(/b+/)
    await host.run('a')
    assert.throws(() => host.done(), /FakeHost n: 1 expected script\(s\) never ran: \/b\+\//)
  })

  it('matches out of order when needed, first matching expectation wins', async () => {
    const host = new FakeHost('n').expect('x', {stdout: '1'}).expect('y', {stdout: '2'}).expect('x', {stdout: '3'})
    assert.equal((await host.run('y')).stdout, '2')
    assert.equal((await host.run('x')).stdout, '1')
    assert.equal((await host.run('x')).stdout, '3')
    host.done()
  })

  it('a global RegExp matches every time (no lastIndex carry-over)', async () => {
    const re = /ip addr/g
    const host = new FakeHost('n').expect(re).expect(re)
    await host.run('ip addr show')
    await host.run('ip addr show')
    host.done()
  })

  it('simulates transport failures and streams stdout', async () => {
    const host = new FakeHost('n').expect('long', {stdout: 'progress 50%\n'}).expect('lost', {throws: new Error('connection lost')})
    const chunks: string[] = []
    await host.run('long', {onStdout: (c) => chunks.push(c)})
    assert.deepEqual(chunks, ['progress 50%\n'])
    await assert.rejects(host.run('lost'), /connection lost/)
  })

  it('works with mustRun: non-zero exit becomes a RemoteCommandError', async () => {
    const host = new FakeHost('node1').expect('false', {code: 1, stderr: 'nope'})
    await assert.rejects(mustRun(host, 'false', {label: 'fail'}), (error) => error instanceof RemoteCommandError && error.code === 1 && error.node === 'node1')
  })

  it('refuses runs after close()', async () => {
    const host = new FakeHost('n').expect('x')
    await host.close()
    assert.equal(host.closed, true)
    await assert.rejects(host.run('x'), /after close\(\)/)
  })
})
