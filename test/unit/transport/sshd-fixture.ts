/**
 * A throwaway OpenSSH sshd on 127.0.0.1 for the transport tests: its own host key, config and
 * authorized key in a temp dir, run in the foreground (`-D -e`) so the test owns the process and
 * reads its log. Needs root (PermitRootLogin) and the openssh-server / openssh-client packages.
 */
import {execFileSync, spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const SSHD = '/usr/sbin/sshd'

/** Why the real-sshd tests cannot run here, or undefined when they can (installing sshd if missing). */
export function sshdUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to run sshd with PermitRootLogin'
  if (!existsSync(SSHD) || !existsSync('/usr/bin/ssh-keygen')) {
    const apt = (...args: string[]) => execFileSync('apt-get', args, {stdio: 'ignore', env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'}})
    const install = () => apt('install', '-y', '-qq', 'openssh-server', 'openssh-client')
    try {
      try {
        install()
      } catch {
        apt('update', '-qq') // a fresh machine may have no package lists yet
        install()
      }
    } catch {
      return 'openssh-server is not installed and apt-get install failed'
    }
  }
  return existsSync(SSHD) ? undefined : 'openssh-server is not installed'
}

export function keygen(file: string, type = 'ed25519'): void {
  rmSync(file, {force: true})
  rmSync(`${file}.pub`, {force: true})
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'hapair-test', '-f', file])
}

/** `ssh-keygen -lf` of a public key file: `SHA256:...`. */
export function sshKeygenFingerprint(pubFile: string): string {
  return execFileSync('ssh-keygen', ['-lf', pubFile], {encoding: 'utf8'}).split(' ')[1]
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1')
      sock.once('connect', () => {
        sock.destroy()
        resolve(true)
      })
      sock.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error(`sshd did not listen on 127.0.0.1:${port}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

export class TestSshd {
  readonly dir = mkdtempSync(join(tmpdir(), 'hapair-sshd-'))
  readonly hostKey = join(this.dir, 'host_ed25519')
  readonly clientKey = join(this.dir, 'client_ed25519')
  readonly knownHosts = join(this.dir, 'known_hosts')
  port = 0
  private proc: ChildProcess | undefined
  private output = ''

  /**
   * `standIns`: files bind-mounted over others (target -> source) in a mount namespace of sshd's
   * own, so its sessions run a stand-in for a tool while the machine's own file stays untouched.
   */
  constructor(private readonly standIns: Record<string, string> = {}) {}

  static async start(opts: {standIns?: Record<string, string>} = {}): Promise<TestSshd> {
    const sshd = new TestSshd(opts.standIns)
    keygen(sshd.hostKey)
    keygen(sshd.clientKey)
    writeFileSync(join(sshd.dir, 'authorized_keys'), readFileSync(`${sshd.clientKey}.pub`))
    sshd.port = await freePort()
    await sshd.launch()
    return sshd
  }

  get hostFingerprint(): string {
    return sshKeygenFingerprint(`${this.hostKey}.pub`)
  }

  /** sshd's log (-e sends it to stderr). */
  get log(): string {
    return this.output
  }

  /** Logins accepted so far: one per SSH connection. */
  get logins(): number {
    return (this.output.match(/Accepted publickey for /g) ?? []).length
  }

  private async launch(): Promise<void> {
    mkdirSync('/run/sshd', {recursive: true, mode: 0o755}) // privilege separation directory
    const config = join(this.dir, 'sshd_config')
    writeFileSync(
      config,
      [
        `Port ${this.port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${this.hostKey}`,
        `PidFile ${join(this.dir, 'sshd.pid')}`,
        'UsePAM no',
        `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
        'StrictModes no',
        'PermitRootLogin yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'LogLevel VERBOSE',
        // bash sources ~/.bashrc for commands run by sshd unless SHLVL says it is nested. The test
        // box's root .bashrc runs `pyenv init` (~250 ms a command); the lab nodes' does nothing.
        'SetEnv SHLVL=1',
        '',
      ].join('\n'),
    )
    const binds = Object.entries(this.standIns)
    // unshare execs in place (no fork) and so does sh: the pid is sshd's, as without stand-ins.
    this.proc = binds.length
      ? spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `${binds.map(([target, source]) => `mount --bind "${source}" "${target}" && `).join('')}exec "$@"`, 'sh', SSHD, '-D', '-e', '-f', config], {stdio: ['ignore', 'ignore', 'pipe']})
      : spawn(SSHD, ['-D', '-e', '-f', config], {stdio: ['ignore', 'ignore', 'pipe']})
    const proc = this.proc
    // Never leave an sshd behind, even when the test process dies on an uncaught error.
    const kill = () => proc.kill('SIGTERM')
    process.once('exit', kill)
    proc.once('exit', () => process.removeListener('exit', kill))
    this.proc.stderr!.on('data', (chunk: Buffer) => {
      this.output += chunk.toString()
    })
    await waitForPort(this.port, 5000)
  }

  /** Cuts every open SSH connection by killing this sshd's per-connection children (by pid). */
  dropConnections(): void {
    const out = execFileSync('sh', ['-c', `pgrep -P ${this.proc!.pid} || true`], {encoding: 'utf8'})
    for (const pid of out.split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL')
  }

  /** Restarts on the same port; with `newHostKey` the server gets a different identity. */
  async restart(newHostKey: boolean): Promise<void> {
    await this.stopProcess()
    if (newHostKey) keygen(this.hostKey)
    await this.launch()
  }

  private async stopProcess(): Promise<void> {
    const proc = this.proc
    if (!proc || proc.exitCode !== null) return
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve())
      proc.kill('SIGTERM')
    })
  }

  async stop(): Promise<void> {
    await this.stopProcess()
    rmSync(this.dir, {recursive: true, force: true})
  }
}
