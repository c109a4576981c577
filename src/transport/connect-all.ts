/**
 * Connects to every node at once (a run waits for the slowest handshake, not the sum), and either
 * hands back all connections or none: a half-connected cluster would run steps on one node only.
 */
import {ConnectError, HapairError} from '../errors.js'
import type {Host} from './host.js'
import {connectHost, type ConnectOptions, type SshTarget} from './ssh-host.js'

export type Connector = (target: SshTarget, opts: ConnectOptions) => Promise<Host>

/** All connected hosts keyed by node name; throws one ConnectError naming every node that failed. */
export async function connectAll(targets: SshTarget[], opts: ConnectOptions, connect: Connector = connectHost): Promise<Map<string, Host>> {
  const serialized = serializePrompts(opts)
  const results = await Promise.allSettled(targets.map((target) => connect(target, serialized)))
  const hosts = new Map<string, Host>()
  const failures: Array<{node: string; error: unknown}> = []
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') hosts.set(targets[i].node, result.value)
    else failures.push({node: targets[i].node, error: result.reason})
  })
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
