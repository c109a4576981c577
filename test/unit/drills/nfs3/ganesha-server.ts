/**
 * A real NFSv3 server for the integration test: NFS-Ganesha (userspace; this host's kernel has
 * no nfsd) and rpcbind, in a network namespace of their own, with a private /run so rpcbind's
 * socket and lock files touch nothing on the host. The export is a temp directory.
 *
 * The client under test runs inside the namespace too (a driver process, see nfs3-driver.ts):
 * Node cannot enter a namespace itself, and this way no interface or address is added to the host.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const INSTALL_HINT = 'apt-get install nfs-ganesha nfs-ganesha-vfs rpcbind iproute2 util-linux (see scripts/install-host-deps.sh)'

const which = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0

/** Why Ganesha cannot run here, or undefined when it can. */
export function ganeshaMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'it needs root (network namespaces, privileged source ports): run the unit tests as root'
  const missing = ['ip', 'unshare', 'nsenter', 'rpcbind', 'ganesha.nfsd'].filter((c) => !which(c))
  if (missing.length) return `${missing.join(', ')} not found: ${INSTALL_HINT}`
  const libDirs = ['/usr/lib', '/usr/lib64', ...readdirSync('/usr/lib').map((d) => join('/usr/lib', d))]
  if (!libDirs.some((d) => existsSync(join(d, 'ganesha', 'libfsalvfs.so')))) return `Ganesha's VFS backend (libfsalvfs.so) not found: ${INSTALL_HINT}`
  return undefined
}

const run = (argv: string[]) => {
  const r = spawnSync(argv[0], argv.slice(1), {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr || r.error?.message}`)
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export class GaneshaServer {
  readonly netns = `hapair-nfs3-${process.pid}`
  readonly dir = mkdtempSync(join(tmpdir(), 'hapair-nfs3-'))
  readonly exportDir = join(this.dir, 'export')
  private rpcbind?: ChildProcess
  private ganesha?: ChildProcess
  private starts = 0

  /** Starts rpcbind and Ganesha; Export_Id changes the file handles (a different server, as after a failover without a fixed fsid). */
  async start(exportId = 1): Promise<void> {
    if (!this.rpcbind) {
      mkdirSync(this.exportDir, {recursive: true})
      run(['ip', 'netns', 'add', this.netns])
      run(['ip', '-n', this.netns, 'link', 'set', 'lo', 'up'])
      // ip netns exec, unshare and sh all exec: the child's pid is rpcbind's, and nsenter can join it.
      this.rpcbind = spawn('ip', ['netns', 'exec', this.netns, 'unshare', '-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs tmpfs /run && exec rpcbind -f -w'], {stdio: 'ignore'})
      await this.waitFor(() => spawnSync('ip', ['netns', 'exec', this.netns, 'rpcinfo', '-p', '127.0.0.1']).status === 0, 'rpcbind')
    }
    const conf = join(this.dir, 'ganesha.conf')
    writeFileSync(conf, ganeshaConf(this.exportDir, exportId))
    const log = join(this.dir, `ganesha-${++this.starts}.log`)
    this.ganesha = spawn('nsenter', ['-t', String(this.rpcbind.pid), '-m', '-n', 'ganesha.nfsd', '-F', '-f', conf, '-L', log, '-p', join(this.dir, 'ganesha.pid')], {stdio: 'ignore'})
    await this.waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('NFS SERVER INITIALIZED'), `ganesha (log ${log})`)
  }

  /** Ends Ganesha the hard way (a crash: no goodbye to its clients); rpcbind keeps its stale registration. */
  async kill(): Promise<void> {
    const g = this.ganesha
    this.ganesha = undefined
    if (!g || g.exitCode !== null) return
    const exited = new Promise((r) => g.once('exit', r))
    g.kill('SIGKILL')
    await exited
  }

  /** A server that accepts connections but answers nothing (SIGSTOP), until thaw(). */
  async freeze(): Promise<void> {
    const pid = this.ganesha?.pid
    if (!pid) throw new Error('ganesha is not running')
    this.ganesha!.kill('SIGSTOP')
    // every thread stopped ("T" in /proc/PID/task/*/stat) before anything relies on it
    const stopped = () => readdirSync(`/proc/${pid}/task`).every((tid) => /^\d+ \(.*\) T /.test(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')))
    await this.waitFor(stopped, `ganesha (pid ${pid}) to stop`, 5000)
  }

  thaw(): void {
    this.ganesha?.kill('SIGCONT')
  }

  /** Everything this harness started, and the namespace and files. */
  async destroy(): Promise<void> {
    this.thaw()
    await this.kill()
    if (this.rpcbind && this.rpcbind.exitCode === null) {
      const exited = new Promise((r) => this.rpcbind!.once('exit', r))
      this.rpcbind.kill('SIGKILL')
      await exited
    }
    spawnSync('ip', ['netns', 'del', this.netns])
    rmSync(this.dir, {recursive: true, force: true})
  }

  private async waitFor(ready: () => boolean, what: string, ms = 30_000): Promise<void> {
    const end = Date.now() + ms
    while (!ready()) {
      if (Date.now() > end) throw new Error(`${what} did not start within ${ms} ms`)
      await sleep(100)
    }
  }
}

/** NFSv3 only, no NLM/RQUOTA, fixed ports, no grace period; one RW export with root not squashed. */
export function ganeshaConf(exportDir: string, exportId: number): string {
  return `NFS_Core_Param {
  Protocols = 3;
  Enable_NLM = false;
  Enable_RQUOTA = false;
  NFS_Port = 2049;
  MNT_Port = 20048;
}
NFSV4 { Graceless = true; }
EXPORT {
  Export_Id = ${exportId};
  Path = ${exportDir};
  Pseudo = ${exportDir};
  Protocols = 3;
  Transports = TCP;
  Access_Type = RW;
  Squash = No_Root_Squash;
  SecType = sys;
  FSAL { Name = VFS; }
}
LOG { Default_Log_Level = EVENT; }
`
}
