/**
 * The SSH transport against a real OpenSSH sshd on 127.0.0.1 (see sshd-fixture.ts): host key
 * checks, one connection for many commands, exit codes, timeouts, errors people will actually see.
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import type {SshConfig} from '../../../src/config/schema.js'
import {ConnectError} from '../../../src/errors.js'
import {RunLog} from '../../../src/transport/run-log.js'
import {connectHost, type ConnectOptions, type SshTarget} from '../../../src/transport/ssh-connect.js'
import {sudoWantsPassword, type SshHost} from '../../../src/transport/ssh-host.js'
import {keygen, sshdUnavailable, TestSshd} from './sshd-fixture.js'

describe('sudoWantsPassword', () => {
  it('recognises sudo refusing to run without a password', () => {
    // First line recorded from sudo 1.9.13p3 (`sudo -n` as a user without NOPASSWD); the second is
    // what sudo prints when it would have to prompt but has no terminal.
    assert.ok(sudoWantsPassword('sudo: a password is required\n'))
    assert.ok(sudoWantsPassword('sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper\n'))
  })

  it('leaves a script that merely fails alone', () => {
    assert.ok(!sudoWantsPassword('grep: /etc/drbd.conf: No such file or directory\n'))
    assert.ok(!sudoWantsPassword('  sudo: a password is required (quoted, indented, by the script itself)\n'))
  })
})

// Never a quiet skip: without root or sshd these tests fail and say what is missing.
const unavailable = sshdUnavailable()

describe('SshHost against a real sshd', () => {
  let sshd: TestSshd
  let host: SshHost | undefined
  before(async () => {
    if (unavailable) throw new Error(`cannot run the real-sshd tests: ${unavailable} (run scripts/install-host-deps.sh as root)`)
    sshd = await TestSshd.start()
  })
  after(async () => {
    await host?.close()
    await sshd?.stop()
  })

  const target = (ssh: Partial<SshConfig> = {}): SshTarget => ({
    node: 'node1',
    address: '127.0.0.1',
    ssh: {user: 'root', port: sshd.port, identityFile: sshd.clientKey, knownHostsFile: sshd.knownHosts, connectTimeout: 5, ...ssh},
  })
  const strict: ConnectOptions = {acceptNewHostKeys: false, interactive: false}

  it('refuses an unknown host key without --accept-new-host-keys, showing its fingerprint', async () => {
    await assert.rejects(connectHost(target(), strict), (error: ConnectError) => {
      assert.ok(error instanceof ConnectError)
      assert.match(error.message, new RegExp(`node1: host key for node1 \\(127\\.0\\.0\\.1:${sshd.port}\\) is not known: ssh-ed25519 `))
      assert.ok(error.message.includes(sshd.hostFingerprint), 'the fingerprint ssh-keygen -lf prints for the host key')
      assert.match(error.hint!, /--accept-new-host-keys/)
      return true
    })
    assert.ok(!existsSync(sshd.knownHosts), 'nothing recorded')
    assert.equal(sshd.logins, 0, 'no login happened')
  })

  it('accepts and records a new host key with acceptNewHostKeys, then trusts it', async () => {
    const first = await connectHost(target(), {...strict, acceptNewHostKeys: true})
    await first.close()
    const recorded = readFileSync(sshd.knownHosts, 'utf8')
    const pub = readFileSync(`${sshd.hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')
    assert.equal(recorded, `[127.0.0.1]:${sshd.port} ${pub}\n`)
    const again = await connectHost(target(), strict)
    await again.close()
  })

  it('trusts a known_hosts file hashed by ssh-keygen -H', async () => {
    const hashed = join(sshd.dir, 'known_hosts_hashed')
    writeFileSync(hashed, readFileSync(sshd.knownHosts))
    execFileSync('ssh-keygen', ['-H', '-f', hashed], {stdio: 'ignore'})
    assert.match(readFileSync(hashed, 'utf8'), /^\|1\|/)
    const h = await connectHost(target({knownHostsFile: hashed}), strict)
    await h.close()
  })

  it('runs a script: stdout, stderr, exit code, duration, strict header', async () => {
    host = await connectHost(target(), strict)
    const ok = await host.run('echo out; echo err >&2', {label: 'greet'})
    assert.equal(ok.node, 'node1')
    assert.equal(ok.label, 'greet')
    assert.equal(ok.code, 0)
    assert.equal(ok.stdout, 'out\n')
    assert.equal(ok.stderr, 'err\n')
    assert.ok(ok.durationMs > 0)

    const failed = await host.run('echo partial\nexit 42')
    assert.equal(failed.code, 42, 'a non-zero exit is a result, not an exception')
    assert.equal(failed.stdout, 'partial\n')

    const pipefail = await host.run('false | true\necho not reached')
    assert.equal(pipefail.code, 1, 'set -o pipefail from SCRIPT_HEADER')
    assert.equal(pipefail.stdout, '')

    const env = await host.run('echo "$LC_ALL $(id -u)"')
    assert.equal(env.stdout, 'C 0\n', 'as root, in the C locale')
  })

  it('feeds scripts through stdin unquoted and streams stdout', async () => {
    const script = `cat <<'EOF'\nquotes ' " \` $HOME \\n\nEOF\nfor i in 1 2 3; do echo "line $i"; done`
    const chunks: string[] = []
    const result = await host!.run(script, {onStdout: (c) => chunks.push(c)})
    assert.equal(result.stdout, `quotes ' " \` $HOME \\n\nline 1\nline 2\nline 3\n`)
    assert.equal(chunks.join(''), result.stdout)
  })

  it('serves many commands, sequential and parallel, over ONE connection', async (t) => {
    const loginsBefore = sshd.logins
    const started = performance.now()
    for (let i = 0; i < 15; i++) assert.equal((await host!.run('true')).code, 0)
    const sequentialMs = performance.now() - started
    t.diagnostic(`15 sequential run('true') over one connection: ${sequentialMs.toFixed(0)} ms`)
    // No speed bound: on a loaded machine 15 round trips may take seconds; one connection is what is proven.

    // More than sshd's MaxSessions (10) at once: the host queues instead of failing.
    const parallel = await Promise.all(Array.from({length: 14}, (_, i) => host!.run(`echo ${i}`)))
    assert.deepEqual(
      parallel.map((r) => r.stdout),
      Array.from({length: 14}, (_, i) => `${i}\n`),
    )
    assert.equal(sshd.logins, loginsBefore, 'no new SSH connection was opened')
    assert.equal(sshd.logins, 4, 'one login per connectHost in this file so far (2 key checks, hashed, this host)')
  })

  it('stops a command at its timeout, names node and label, and the connection stays usable', async () => {
    const started = Date.now()
    await assert.rejects(host!.run('sleep 31.7', {label: 'wait forever', timeoutMs: 400}), (error: ConnectError) => {
      assert.ok(error instanceof ConnectError)
      assert.match(error.message, /^node1: "wait forever" did not finish within 400 ms; it was stopped/)
      return true
    })
    // Stopped by the 400 ms timeout, not by the remote sleep ending (bound generous for a loaded machine).
    assert.ok(Date.now() - started < 30_000)
    assert.equal((await host!.run('echo alive')).stdout, 'alive\n')
    // The remote `timeout` backstop kills the script's processes shortly after.
    const deadline = Date.now() + 8000
    while (running('sleep 31.7')) {
      assert.ok(Date.now() < deadline, 'the remote sleep was not killed')
      await new Promise((r) => setTimeout(r, 200))
    }
  })

  it('the host-wide default timeout stops a command too, and its process on the node', async () => {
    const quick = await connectHost(target(), {...strict, commandTimeoutMs: 300})
    try {
      await assert.rejects(quick.run('sleep 32.3'), /^ConnectError: node1: "sleep 32.3" did not finish within 300 ms; it was stopped/)
      const deadline = Date.now() + 8000
      while (running('sleep 32.3')) {
        assert.ok(Date.now() < deadline, 'the remote sleep outlived its timeout')
        await new Promise((r) => setTimeout(r, 100))
      }
      assert.equal((await quick.run('echo alive')).code, 0)
    } finally {
      await quick.close()
    }
  })

  it('writes every command to the run log with secrets masked', async () => {
    const log = RunLog.create({dir: join(sshd.dir, 'logs'), command: 'test', secrets: ['Sup3rSecretDrbd']})
    const logged = await connectHost(target(), {...strict, log})
    await logged.run('echo shared-secret Sup3rSecretDrbd', {label: 'write secret'})
    await logged.run('exit 3', {label: 'fails'})
    await logged.close()
    const text = readFileSync(log.path, 'utf8')
    assert.ok(!text.includes('Sup3rSecretDrbd'))
    assert.match(text, /node1: connected to root@127\.0\.0\.1/)
    assert.match(text, /node1 "write secret" exit 0 \(\d+ ms\)\n--- script\necho shared-secret \*+\n--- stdout\nshared-secret \*+/)
    assert.match(text, /node1 "fails" exit 3/)
  })

  it('reports an authentication failure with what was offered and how to fix it', async () => {
    const stranger = join(sshd.dir, 'stranger_key')
    keygen(stranger)
    await assert.rejects(connectHost(target({identityFile: stranger}), strict), (error: ConnectError) => {
      assert.match(error.message, /node1: authentication as root@127\.0\.0\.1 failed \(offered: .*stranger_key\)/)
      assert.match(error.hint!, /ssh-copy-id -p \d+ root@127\.0\.0\.1/)
      return true
    })
  })

  it('reports a refused connection', async () => {
    const port = await closedPort()
    await assert.rejects(connectHost(target({port}), strict), (error: ConnectError) => {
      assert.match(error.message, new RegExp(`node1: connection refused by 127\\.0\\.0\\.1:${port}`))
      assert.match(error.hint!, /Is sshd running/)
      return true
    })
  })

  it('gives up after connectTimeout when the server never answers', async () => {
    const silent: Server = createServer(() => {}) // accepts TCP, never speaks SSH
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const port = (silent.address() as {port: number}).port
    const started = Date.now()
    try {
      await assert.rejects(connectHost(target({port, connectTimeout: 1}), strict), /node1: no answer from 127\.0\.0\.1:\d+ within 1 s/)
      assert.ok(Date.now() - started < 10_000)
    } finally {
      silent.close()
    }
  })

  it('a pinned hostKey decides: the right one connects without known_hosts, a wrong one is refused', async () => {
    const empty = join(sshd.dir, 'empty_known_hosts')
    const pinned = await connectHost(target({knownHostsFile: empty, hostKey: sshd.hostFingerprint}), strict)
    await pinned.close()
    assert.ok(!existsSync(empty))
    const wrong = 'SHA256:' + 'A'.repeat(43)
    await assert.rejects(connectHost(target({hostKey: wrong}), {...strict, acceptNewHostKeys: true}), /but the cluster file pins SHA256:A{43}: refusing to connect/)
  })

  it('a dropped connection fails the running command and every later one, naming the node', async () => {
    const doomed = await connectHost(target(), strict)
    try {
      const running = doomed.run('sleep 5', {label: 'long wait'})
      await new Promise((r) => setTimeout(r, 300))
      sshd.dropConnections()
      await assert.rejects(running, /^ConnectError: node1: connection lost while running "long wait"/)
      await assert.rejects(doomed.run('true', {label: 'next'}), /^ConnectError: node1: cannot run "next": /)
    } finally {
      await doomed.close()
    }
  })

  it('refuses a CHANGED host key loudly, even with acceptNewHostKeys', async () => {
    await host?.close()
    host = undefined
    const recorded = readFileSync(sshd.knownHosts, 'utf8')
    await sshd.restart(true) // same address and port, new host key
    await assert.rejects(connectHost(target(), {...strict, acceptNewHostKeys: true}), (error: ConnectError) => {
      assert.match(error.message, /host key for node1 \(127\.0\.0\.1:\d+\) has CHANGED/)
      assert.match(error.message, /man-in-the-middle/)
      assert.ok(error.message.includes(sshd.hostFingerprint), 'shows the new fingerprint')
      assert.match(error.hint!, /ssh-keygen -f .*known_hosts -R '\[127\.0\.0\.1\]:\d+'/)
      return true
    })
    assert.equal(readFileSync(sshd.knownHosts, 'utf8'), recorded, 'known_hosts was not touched')
  })
})

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as {port: number}).port
  await new Promise((r) => server.close(r))
  return port
}


/** Is a process with this exact command line alive? (pgrep exits 1 when none is.) */
function running(commandLine: string): boolean {
  try {
    execFileSync('pgrep', ['-fx', commandLine], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}
