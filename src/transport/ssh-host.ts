/**
 * The real Host: one ssh2 connection per node, opened once and reused by every command of a run.
 * Each run() is one exec channel (`bash -s`, script on stdin): no quoting, no temp files, no extra
 * round trips, so a converged run stays fast.
 */
import {performance} from 'node:perf_hooks'
import type {Duplex} from 'node:stream'
import {StringDecoder} from 'node:string_decoder'
import ssh2 from 'ssh2'
import type {Client as SshClient, ClientChannel, ServerHostKeyAlgorithm} from 'ssh2'
import type {SshConfig} from '../config/schema.js'
import {ConnectError, ExitCode, HapairError} from '../errors.js'
import {preferredHostKeyAlgorithms} from './host-key.js'
import {hostKeyPolicy, readKnownHosts, verifyHostKey, type HostKeyPolicy} from './host-verifier.js'
import {labelOf, SCRIPT_HEADER, type ExecOptions, type ExecResult, type Host} from './host.js'
import {knownHostName, knownKeyTypes} from './known-hosts.js'
import type {RunLog} from './run-log.js'
import {planAuth} from './ssh-auth.js'

const {Client} = ssh2

export interface SshTarget {
  node: string
  address: string
  ssh: SshConfig
}

export interface ConnectOptions {
  /** Trust and record keys of hosts not in known_hosts (`--accept-new-host-keys`). */
  acceptNewHostKeys: boolean
  /** A human is at the terminal: may be asked about new host keys and for a password. */
  interactive: boolean
  confirmHostKey?: (node: string, fingerprint: string, keyType: string) => Promise<boolean>
  askPassword?: (node: string) => Promise<string>
  log?: RunLog
  /** Default per-command timeout; 0 disables it. Default 10 minutes. */
  commandTimeoutMs?: number
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 10 * 60_000
/** sshd's MaxSessions defaults to 10 channels per connection; stay under it. */
const MAX_PARALLEL_CHANNELS = 8
const KEEPALIVE_INTERVAL_MS = 15_000
const KEEPALIVE_COUNT_MAX = 4
/** Channel open retries (5, 10, 15 ... ms apart: about 1 s in all). */
const OPEN_RETRIES = 20
/** The remote `timeout` fires this long after the local timer, as a backstop that kills the script. */
const REMOTE_TIMEOUT_GRACE_S = 2

/**
 * Connects to a node, through its jump hosts when it has any (ProxyJump: each hop is an SSH
 * connection of its own whose host key is verified like the node's, and the next hop is dialled
 * over a direct-tcpip channel of the previous one, as ssh -J does).
 */
export async function connectHost(target: SshTarget, opts: ConnectOptions): Promise<SshHost> {
  const {node, address, ssh} = target
  const route = ssh.route ?? {host: address, jumps: []}
  const acceptNewHostKeys = opts.acceptNewHostKeys || Boolean(route.acceptNewHostKeys)
  const jumps: SshClient[] = []
  try {
    let sock: Duplex | undefined
    for (const [i, hop] of route.jumps.entries()) {
      const label = `jump host ${hop.name}`
      const policy = hostKeyPolicy({node, address: hop.host, ssh: {port: hop.port, knownHostsFile: ssh.knownHostsFile}}, opts)
      const client = await openClient({node, label, host: hop.host, port: hop.port, user: hop.user, identityFile: hop.identityFile, connectTimeout: ssh.connectTimeout, identityPath: `set its IdentityFile / User in ~/.ssh/config (Host ${hop.name}), or the user in ProxyJump`}, {...policy, label}, opts, sock)
      jumps.push(client)
      const next = route.jumps[i + 1] ?? {host: route.host, port: ssh.port, name: address}
      sock = await forward(client, node, label, next.host, next.port)
    }
    const policy = {...hostKeyPolicy({node, address: route.host, ssh}, opts), acceptNew: acceptNewHostKeys}
    const client = await openClient({node, label: node, host: route.host, port: ssh.port, user: ssh.user, identityFile: ssh.identityFile, connectTimeout: ssh.connectTimeout, identityPath: 'set nodes[].ssh.identityFile / user in the cluster file'}, policy, opts, sock)
    const via = jumps.length ? ` via ${route.jumps.map((h) => h.name).join(', ')}` : ''
    opts.log?.note(`${node}: connected to ${ssh.user}@${route.host}:${ssh.port}${via}`)
    return new SshHost(node, address, client, ssh.user, opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, opts.log, jumps)
  } catch (error) {
    for (const j of jumps.reverse()) j.end()
    throw error
  }
}

/** One SSH hop: who it is for messages, what to dial, as whom. */
interface Dial {
  node: string
  /** How messages name this hop: the node, or `jump host bastion`. */
  label: string
  host: string
  port: number
  user: string
  identityFile?: string
  connectTimeout: number
  /** Where the operator sets the key or user for this hop (for the authentication hint). */
  identityPath: string
}

/** A direct-tcpip channel from `client` to host:port, to carry the next hop's SSH. */
function forward(client: SshClient, node: string, label: string, host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (error, stream) => {
      if (error) reject(new ConnectError(node, `${label} could not open a connection to ${host}:${port}: ${error.message}`, `Check that ${host}:${port} is reachable from the jump host and that its sshd allows TCP forwarding (AllowTcpForwarding).`))
      else resolve(stream)
    })
  })
}

async function openClient(dial: Dial, policy: HostKeyPolicy, opts: ConnectOptions, sock?: Duplex): Promise<SshClient> {
  const {node, host, port} = dial
  const entries = readKnownHosts(policy)
  const client = new Client()

  // Our own connect deadline (ssh2's readyTimeout cannot be paused while a human answers a prompt).
  let timer: NodeJS.Timeout | undefined
  let timedOut = false
  const pauseTimer = () => clearTimeout(timer)
  const resumeTimer = () => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      timedOut = true
      client.destroy()
    }, dial.connectTimeout * 1000)
  }
  const auth = planAuth({node, user: dial.user, identityFile: dial.identityFile, interactive: opts.interactive, askPassword: opts.askPassword, pauseTimer, resumeTimer})

  let hostKeyError: Error | undefined
  await new Promise<void>((resolve, reject) => {
    let settled = false
    const fail = (error: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      client.destroy()
      opts.log?.note(`${node}: could not connect${dial.label === node ? '' : ` (${dial.label})`}: ${error.message}`)
      reject(error)
    }
    client.on('ready', () => {
      settled = true
      clearTimeout(timer)
      resolve()
    })
    client.on('error', (error: Error & {level?: string; code?: string}) => {
      // ssh2 reports an unusable agent and moves on to the next method; that is not fatal.
      if (error.level === 'agent') return
      if (timedOut) return fail(connectTimeoutError(dial))
      fail(hostKeyError ?? describeConnectError(dial, error, auth.offered))
    })
    client.on('close', () => {
      if (timedOut) fail(connectTimeoutError(dial))
      else fail(hostKeyError ?? new ConnectError(node, `${prefix(dial)}${host}:${port} closed the connection during login`))
    })
    resumeTimer()
    client.connect({
      ...(sock ? {sock} : {host}),
      port,
      username: dial.user,
      readyTimeout: 0,
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      authHandler: auth.handler,
      algorithms: {serverHostKey: preferredHostKeyAlgorithms(knownKeyTypes(entries, knownHostName(host, port))) as ServerHostKeyAlgorithm[]},
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        const confirm = policy.confirm
        const withPausedTimer = confirm && {
          ...policy,
          confirm: async (...args: Parameters<typeof confirm>) => {
            pauseTimer()
            try {
              return await confirm(...args)
            } finally {
              resumeTimer()
            }
          },
        }
        verifyHostKey(withPausedTimer || policy, entries, key).then(
          () => verify(true),
          (error: Error) => {
            hostKeyError = error
            verify(false)
          },
        )
      },
    })
    // Without TCP_NODELAY, Nagle holds back each small SSH packet (exec request, script, EOF) until
    // the previous one is acknowledged, and delayed ACKs turn that into ~40 ms stalls per command.
    // (Over a jump host the socket is a channel; the jump's own TCP socket carries the setting.)
    if (!sock) client.setNoDelay(true)
  })
  return client
}

/** `jump host bastion: ` before a message about a hop that is not the node itself. */
function prefix(dial: Dial): string {
  return dial.label === dial.node ? '' : `${dial.label}: `
}

function connectTimeoutError(dial: Dial): ConnectError {
  return new ConnectError(dial.node, `${prefix(dial)}no answer from ${dial.host}:${dial.port} within ${dial.connectTimeout} s`, timeoutHint(dial.port))
}

function timeoutHint(port: number): string {
  return `Check the address, that the node is up and that a firewall lets port ${port} through; on a slow link raise nodes[].ssh.connectTimeout.`
}

function describeConnectError(dial: Dial, error: Error & {level?: string; code?: string}, offered: string[]): ConnectError {
  const {node, host, port, user} = dial
  const at = prefix(dial)
  switch (error.code) {
    case 'ECONNREFUSED':
      return new ConnectError(node, `${at}connection refused by ${host}:${port}`, `Is sshd running on ${at ? dial.label : 'the node'} and listening on port ${port}? (systemctl status ssh)`)
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return new ConnectError(node, `${at}cannot reach ${host}:${port} (${error.code})`, timeoutHint(port))
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectError(node, `${at}cannot resolve ${host} (${error.code})`, `Check the name (nodes[].address, or HostName in ~/.ssh/config) and this machine's DNS.`)
  }
  if (error.level === 'client-authentication') {
    const tried = offered.length ? offered.join(', ') : 'nothing: no identityFile, no ssh-agent, no ~/.ssh/id_* key, and no password prompt (not interactive)'
    return new ConnectError(
      node,
      `${at}authentication as ${user}@${host} failed (offered: ${tried})`,
      `Install your public key on ${at ? dial.label : 'the node'} (ssh-copy-id ${port === 22 ? '' : `-p ${port} `}${user}@${host}), or ${dial.identityPath}.`,
    )
  }
  return new ConnectError(node, `${at}SSH to ${host}:${port} failed: ${error.message}`)
}

export class SshHost implements Host {
  private lost: string | undefined
  private readonly slots = new Slots(MAX_PARALLEL_CHANNELS)
  private closing: Promise<void> | undefined

  constructor(
    readonly node: string,
    readonly address: string,
    private readonly client: SshClient,
    /** The login user; anyone but root goes through `sudo -n`. */
    private readonly user: string,
    private readonly commandTimeoutMs: number,
    private readonly log?: RunLog,
    /** Jump host connections this one runs over: closed with it. */
    private readonly jumps: SshClient[] = [],
  ) {
    client.on('error', (error: Error) => {
      this.lost ??= error.message
    })
    client.on('close', () => {
      this.lost ??= 'the connection was closed'
      for (const j of [...jumps].reverse()) j.end()
    })
  }

  async run(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const label = labelOf(script, opts)
    if (this.lost) throw new ConnectError(this.node, `cannot run "${label}": ${this.lost}`)
    await this.slots.acquire()
    try {
      return await this.exec(script, label, opts)
    } finally {
      this.slots.release()
    }
  }

  private exec(script: string, label: string, opts: ExecOptions): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? this.commandTimeoutMs
    // Closing the channel at the timeout does not reliably end the script on the node (a `sleep`
    // survives it under OpenSSH 9.2), so coreutils `timeout` runs it there too and kills its whole
    // process group shortly after our own timer fires. Costs one exec (~2-3 ms) per command.
    const remoteTimeout = timeoutMs > 0 ? `timeout -k 5 ${Math.ceil(timeoutMs / 1000) + REMOTE_TIMEOUT_GRACE_S} ` : ''
    const sudo = this.user !== 'root'
    const command = `${sudo ? 'sudo -n ' : ''}${remoteTimeout}bash -s`
    const started = performance.now()
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8')

    return new Promise<ExecResult>((resolve, reject) => {
      let channel: ClientChannel | undefined
      let timer: NodeJS.Timeout | undefined
      let done = false
      const finish = (outcome: {code: number} | {error: Error}) => {
        if (done) return
        done = true
        clearTimeout(timer)
        const durationMs = performance.now() - started
        const result = {node: this.node, label, stdout: text(stdout), stderr: text(stderr), durationMs}
        this.log?.record({
          ...result,
          script,
          code: 'code' in outcome ? outcome.code : undefined,
          error: 'error' in outcome ? outcome.error.message : undefined,
          sensitive: opts.sensitive,
        })
        if ('error' in outcome) return reject(outcome.error)
        if (sudo && outcome.code === 1 && sudoWantsPassword(result.stderr)) {
          return reject(
            new HapairError(
              `${this.node}: sudo asks ${this.user} for a password, so "${label}" cannot run as root`,
              ExitCode.stepFailed,
              'hapair runs commands through `sudo -n`. Allow it without a password (e.g. /etc/sudoers.d/hapair with "${this.user} ALL=(ALL) NOPASSWD: ALL"), or connect as root (nodes[].ssh.user: root).',
            ),
          )
        }
        resolve({...result, code: outcome.code})
      }

      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          finish({error: new ConnectError(this.node, `"${label}" did not finish within ${formatDuration(timeoutMs)}; it was stopped`, 'If the work is expected to take longer, raise its timeout.')})
          channel?.signal('KILL')
          channel?.close()
        }, timeoutMs)
      }

      const start = (attempt: number) => this.client.exec(command, (error, stream) => {
        if (error) {
          // sshd frees a session slot a little after the channel closes, so a burst of commands can
          // briefly hit MaxSessions ("no more sessions"); such an open failure is worth a retry.
          if (!done && !this.lost && /open failure/i.test(error.message) && attempt < OPEN_RETRIES) {
            return void setTimeout(() => start(attempt + 1), 5 * (attempt + 1))
          }
          return finish({error: new ConnectError(this.node, `cannot start "${label}": ${error.message}`)})
        }
        channel = stream
        if (done) return void stream.close() // timed out while the channel was opening
        const decoder = opts.onStdout ? new StringDecoder('utf8') : undefined
        let code: number | undefined
        stream.on('data', (chunk: Buffer) => {
          stdout.push(chunk)
          if (decoder) opts.onStdout!(decoder.write(chunk))
        })
        stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
        stream.on('exit', (exitCode: number | null, signal?: string) => {
          code = exitCode ?? signalExitCode(signal)
        })
        stream.on('close', () => {
          if (code === undefined) finish({error: new ConnectError(this.node, `connection lost while running "${label}"${this.lost ? `: ${this.lost}` : ''}`)})
          else finish({code})
        })
        stream.end(SCRIPT_HEADER + script)
      })
      start(0)
    })
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.lost) return resolve()
      const fallback = setTimeout(() => {
        this.client.destroy()
        resolve()
      }, 2000)
      this.client.once('close', () => {
        clearTimeout(fallback)
        resolve()
      })
      this.client.end()
    })
    return this.closing
  }
}

/**
 * `sudo -n` refused because the user needs a password (sudo 1.9 prints "sudo: a password is
 * required"; older ones, without -n support for the policy, "a terminal is required").
 */
export function sudoWantsPassword(stderr: string): boolean {
  return /^sudo: (a password is required|a terminal is required)/m.test(stderr)
}

/** A command killed by a signal reports no code; shells use 128 + the signal number. */
function signalExitCode(signal: string | undefined): number {
  const numbers: Record<string, number> = {HUP: 1, INT: 2, QUIT: 3, KILL: 9, SEGV: 11, PIPE: 13, ALRM: 14, TERM: 15}
  const n = signal ? numbers[signal.replace(/^SIG/, '')] : undefined
  return n ? 128 + n : 255
}

function formatDuration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`
}

/** A counting semaphore: at most `size` channels open at once, the rest wait their turn. */
class Slots {
  private used = 0
  private readonly waiting: Array<() => void> = []
  constructor(private readonly size: number) {}
  acquire(): Promise<void> {
    if (this.used < this.size) {
      this.used++
      return Promise.resolve()
    }
    return new Promise((resolve) => this.waiting.push(resolve))
  }
  release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.used--
  }
}
