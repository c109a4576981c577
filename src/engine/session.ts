/**
 * Everything a command needs around its steps: the validated cluster file (before any SSH),
 * the run lock, the state file, the run log, and one SSH connection per node.
 */
import {join} from 'node:path'
import {loadCluster, type LoadedCluster} from '../config/load.js'
import {secretValues} from '../config/secrets.js'
import {allHosts} from '../config/hosts.js'
import {connectAll, connectReachable, type Connector, type Unreachable} from '../transport/connect-all.js'
import type {Host} from '../transport/host.js'
import {RunLog} from '../transport/run-log.js'
import {acquireLock} from '../state/lock.js'
import {openStateFile, StateFile, type OpenStateOptions} from '../state/state-file.js'
import {stateDirFor} from './state-dir.js'

export {stateDirFor}

export interface SessionOptions {
  configFile: string
  command: string
  acceptNewHostKeys: boolean
  interactive: boolean
  /** Take the run lock (commands that change things); read-only commands skip it. */
  lock: boolean
  /**
   * Read-only views (status, preflight): go on with the nodes that connect and hand over why the
   * others did not, instead of failing on the first unreachable node.
   */
  partial?: boolean
  confirmHostKey?: (node: string, fingerprint: string, keyType: string) => Promise<boolean>
  askPassword?: (node: string) => Promise<string>
  /**
   * Commands that read history open the state file before connecting (a damaged one is an exit 2
   * before any SSH, or is set aside as these options allow); others open it on first use only,
   * so `status` and `preflight` work whatever state the file is in.
   */
  openState?: OpenStateOptions
  /** Checks that need the cluster file but no connection (e.g. resolving the runbook); throwing here connects nothing. */
  beforeConnect?: (cluster: LoadedCluster) => void
}

export interface Session {
  cluster: LoadedCluster
  hosts: Map<string, Host>
  /** Nodes that could not be connected and why; always empty unless `partial` was asked for. */
  unreachable: Map<string, Unreachable>
  state: StateFile
  stateDir: string
  log: RunLog
  secrets: string[]
}

/** `connector` is for tests: a fake host per node instead of SSH. */
export async function withSession<T>(opts: SessionOptions, fn: (session: Session) => Promise<T>, connector?: Connector): Promise<T> {
  const cluster = await loadCluster(opts.configFile)
  opts.beforeConnect?.(cluster)
  const stateDir = stateDirFor(opts.configFile)
  const release = opts.lock ? acquireLock(stateDir, opts.command) : () => {}
  const secrets = secretValues(cluster.secrets)
  const log = RunLog.create({dir: join(stateDir, 'logs'), command: opts.command, secrets})
  let hosts: Map<string, Host> | undefined
  try {
    let state = opts.openState ? await openStateFile(stateDir, opts.openState) : undefined
    // Every host of every role (directors and an LVS pool's real servers), each once, all in parallel.
    const targets = allHosts(cluster.config).map((n) => ({node: n.name, address: n.address, ssh: n.ssh}))
    const connectOpts = {acceptNewHostKeys: opts.acceptNewHostKeys, interactive: opts.interactive, confirmHostKey: opts.confirmHostKey, askPassword: opts.askPassword, log}
    const connected = opts.partial ? await connectReachable(targets, connectOpts, connector) : {hosts: await connectAll(targets, connectOpts, connector), unreachable: new Map()}
    hosts = connected.hosts
    return await fn({
      cluster,
      hosts,
      unreachable: connected.unreachable,
      get state() {
        return (state ??= new StateFile(stateDir))
      },
      stateDir,
      log,
      secrets,
    })
  } finally {
    if (hosts) await Promise.all([...hosts.values()].map((h) => h.close().catch(() => {})))
    release()
  }
}
