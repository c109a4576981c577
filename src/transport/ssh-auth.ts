/**
 * Which credentials to offer the server, in OpenSSH's order: the configured identity file, the
 * ssh-agent, the default keys in ~/.ssh, and last a password typed by the user (interactive only).
 * The password is asked lazily, only if the server refused every key.
 */
import {existsSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import ssh2 from 'ssh2'
import type {AnyAuthMethod, AuthenticationType, AuthHandlerMiddleware, ParsedKey} from 'ssh2'
import {ConnectError} from '../errors.js'

const {utils} = ssh2

/** `~/x` -> `$HOME/x`; other paths unchanged. */
export function expandHome(path: string, home = homedir()): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path
}

export interface AuthOptions {
  node: string
  user: string
  identityFile?: string
  interactive: boolean
  askPassword?: (node: string) => Promise<string>
  /** Called around the password prompt so the connect timeout does not run while a human types. */
  pauseTimer?: () => void
  resumeTimer?: () => void
  /** Injectable for tests; default: $SSH_AUTH_SOCK and the user's home. */
  agentSocket?: string
  home?: string
}

export interface AuthPlan {
  handler: AuthHandlerMiddleware
  /** What is offered, for the "authentication failed" message. */
  offered: string[]
}

type Offer = {describe: string; method: (user: string) => Promise<AnyAuthMethod>; type: AuthenticationType}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa']

export function planAuth(opts: AuthOptions): AuthPlan {
  const offers: Offer[] = []
  const agent = opts.agentSocket ?? process.env.SSH_AUTH_SOCK
  const hasAgent = Boolean(agent && existsSync(agent))

  if (opts.identityFile) {
    const file = expandHome(opts.identityFile, opts.home)
    const key = loadKey(opts.node, file, {required: true, agentCanHelp: hasAgent})
    if (key) offers.push(keyOffer(opts.identityFile, key))
  }
  if (hasAgent) offers.push({describe: 'ssh-agent', type: 'agent', method: async (username) => ({type: 'agent', username, agent: agent!})})
  if (!opts.identityFile) {
    for (const name of DEFAULT_KEYS) {
      const file = join(opts.home ?? homedir(), '.ssh', name)
      const key = existsSync(file) ? loadKey(opts.node, file, {required: false, agentCanHelp: hasAgent}) : undefined
      if (key) offers.push(keyOffer(`~/.ssh/${name}`, key))
    }
  }
  if (opts.interactive && opts.askPassword) {
    const ask = opts.askPassword
    let password: Promise<string> | undefined
    // One prompt serves both methods: servers with PAM often allow only keyboard-interactive.
    const getPassword = async () => {
      if (!password) {
        opts.pauseTimer?.()
        password = ask(opts.node).finally(() => opts.resumeTimer?.())
      }
      return password
    }
    offers.push({describe: 'password', type: 'password', method: async (username) => ({type: 'password', username, password: await getPassword()})})
    offers.push({
      describe: 'keyboard-interactive',
      type: 'keyboard-interactive',
      method: async (username) => {
        const secret = await getPassword()
        return {type: 'keyboard-interactive', username, prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map(() => secret))}
      },
    })
  }

  const queue = [...offers]
  const handler: AuthHandlerMiddleware = (methodsLeft, _partial, next) => {
    // methodsLeft is null before the server has refused anything: every method may be tried.
    const allowed = (type: AuthenticationType) => !methodsLeft || methodsLeft.includes(type) || (type === 'agent' && methodsLeft.includes('publickey'))
    let offer = queue.shift()
    while (offer && !allowed(offer.type)) offer = queue.shift()
    if (!offer) return next(false as unknown as AnyAuthMethod)
    offer.method(opts.user).then(next, () => next(false as unknown as AnyAuthMethod))
  }
  return {handler, offered: offers.map((o) => o.describe)}
}

function keyOffer(describe: string, key: ParsedKey): Offer {
  return {describe, type: 'publickey', method: async (username) => ({type: 'publickey', username, key})}
}

/**
 * Reads a private key. A passphrase-protected key is usable only through ssh-agent: skipped when an
 * agent runs (it probably holds the key), an error when it is the configured key and there is none.
 */
function loadKey(node: string, file: string, how: {required: boolean; agentCanHelp: boolean}): ParsedKey | undefined {
  let text: Buffer
  try {
    text = readFileSync(file)
  } catch (error) {
    if (!how.required) return undefined
    throw new ConnectError(node, `cannot read identity file ${file}: ${(error as Error).message}`, 'Fix nodes[].ssh.identityFile in the cluster file.')
  }
  const parsed = utils.parseKey(text)
  const key = Array.isArray(parsed) ? parsed[0] : parsed
  if (key instanceof Error) {
    if (/passphrase/i.test(key.message)) {
      if (how.agentCanHelp || !how.required) return undefined
      throw new ConnectError(node, `identity file ${file} is protected by a passphrase`, `Load it into ssh-agent first: eval "$(ssh-agent)" && ssh-add ${file}`)
    }
    if (!how.required) return undefined
    throw new ConnectError(node, `identity file ${file} is not a private key hapair can read: ${key.message}`)
  }
  return key
}
