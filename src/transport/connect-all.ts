/**
 * Connects to every node at once (a run waits for the slowest handshake, not the sum). Commands
 * that change things take all connections or none (connectAll): a half-connected cluster would
 * run steps on one node only. Commands that only look (status, preflight) take what they can get
 * (connectReachable): a node being down is exactly when an operator wants to see the other.
 */
import {ConnectError, HapairError} from '../errors.js'
import type {Host} from './host.js'
import {connectHost, type ConnectOptions, type SshTarget} from './ssh-connect.js'

export type Connector = (target: SshTarget, opts: ConnectOptions) => Promise<Host>

/** Why one node could not be connected: the message without the node prefix, and the error's hint. */
export interface Unreachable {
  message: string
  hint?: string
}

export interface Reachable {
  hosts: Map<string, Host>
  /** Per node that failed to connect, keyed by node name. */
  unreachable: Map<string, Unreachable>
}

/** Every node that answers, plus why each of the others did not; never throws for a node being down. */
export async function connectReachable(targets: SshTarget[], opts: ConnectOptions, connect: Connector = connectHost): Promise<Reachable> {
  const {hosts, failures} = await settle(targets, opts, connect)
  const unreachable = new Map(failures.map(({node, error}): [string, Unreachable] => [node, describeFailure(node, error)]))
  return {hosts, unreachable}
}

/** All connected hosts keyed by node name; throws one ConnectError naming every node that failed. */
export async function connectAll(targets: SshTarget[], opts: ConnectOptions, connect: Connector = connectHost): Promise<Map<string, Host>> {
  const {hosts, failures} = await settle(targets, opts, connect)
  if (failures.length === 0) return hosts

  await Promise.allSettled([...hosts.values()].map((host) => host.close()))
  if (failures.length === 1 && failures[0].error instanceof HapairError) throw failures[0].error
  const lines = failures.map(({node, error}) => {
    const message = error instanceof Error ? error.message : String(error)
    const hint = error instanceof HapairError && error.hint ? `\n    ${error.hint}` : ''
    return `  ${message.startsWith(`${node}:`) ? message : `${node}: ${message}`}${hint}`
  })
  throw new ConnectError(failures.map((f) => f.node).join(', '), `could not connect to ${failures.length} of ${targets.length} nodes:\n${lines.join('\n')}`)
}

async function settle(targets: SshTarget[], opts: ConnectOptions, connect: Connector) {
  const serialized = serializePrompts(opts)
  const results = await Promise.allSettled(targets.map((target) => connect(target, serialized)))
  const hosts = new Map<string, Host>()
  const failures: Array<{node: string; error: unknown}> = []
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') hosts.set(targets[i].node, result.value)
    else failures.push({node: targets[i].node, error: result.reason})
  })
  return {hosts, failures}
}

function describeFailure(node: string, error: unknown): Unreachable {
  const message = error instanceof Error ? error.message : String(error)
  const hint = error instanceof HapairError ? error.hint : undefined
  return {message: message.startsWith(`${node}: `) ? message.slice(node.length + 2) : message, ...(hint ? {hint} : {})}
}

/**
 * Nodes connect in parallel, but a human answers one question at a time: host key and password
 * prompts for the second node wait until the first one's are answered.
 */
function serializePrompts(opts: ConnectOptions): ConnectOptions {
  let queue: Promise<unknown> = Promise.resolve()
  const one = <A extends unknown[], R>(fn?: (...args: A) => Promise<R>) =>
    fn &&
    ((...args: A): Promise<R> => {
      const next = queue.then(() => fn(...args))
      queue = next.catch(() => undefined)
      return next
    })
  return {...opts, confirmHostKey: one(opts.confirmHostKey), askPassword: one(opts.askPassword)}
}
