/**
 * Opening the ssh2 connection a SshHost runs over: through each ProxyJump hop in turn, the host
 * key verified against known_hosts or a pinned fingerprint at every hop, authentication planned
 * from the key file, ssh-agent and ~/.ssh/id_*, and every failure told as which node, which hop
 * and what to do.
 */
import type {Duplex} from 'node:stream'
import ssh2 from 'ssh2'
import type {Client as SshClient, ServerHostKeyAlgorithm} from 'ssh2'
import type {SshConfig} from '../config/schema.js'
import {ConnectError} from '../errors.js'
import {preferredHostKeyAlgorithms} from './host-key.js'
import {hostKeyPolicy, readKnownHosts, verifyHostKey, type HostKeyPolicy} from './host-verifier.js'
import {knownHostName, knownKeyTypes} from './known-hosts.js'
import type {RunLog} from './run-log.js'
import {planAuth} from './ssh-auth.js'
import {SshHost} from './ssh-host.js'

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
const KEEPALIVE_INTERVAL_MS = 15_000
const KEEPALIVE_COUNT_MAX = 4

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
