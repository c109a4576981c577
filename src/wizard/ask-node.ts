/**
 * The wizard's questions about one node: its address and SSH details, then a real connection at
 * once (a typo or a missing key shows up at the question that caused it), what the node reports
 * (hostname, disks, NICs) and, for a node addressed by name or IPv6, its IPv4.
 */
import {isHostname, isIP} from '../config/address.js'
import {isIPv4} from '../config/net.js'
import {formatSize} from '../config/size.js'
import {sshRoute} from '../config/resolve-nodes.js'
import type {SshConfig} from '../config/schema.js'
import {ExitCode, HapairError, type ConfigProblem} from '../errors.js'
import type {NodeAnswer} from './answers.js'
import {nodeIpChoices} from './check-answers.js'
import {discover, type Discovery} from './discover.js'
import {parseSpec} from './flags.js'
import type {Prompter} from './prompter.js'
import {intIn} from './ask-service.js'
import type {WizardOptions} from './interactive.js'

export interface ReachedNode extends NodeAnswer {
  ssh: {user: string; port: number; identityFile?: string}
  /** Undefined when the user chose to go on without testing the connection. */
  discovery?: Discovery
  usedPassword: boolean
}

/** What is known of a node so far: its SSH details once typed, its name once it answered. */
export interface NodeProgress {
  address: string
  user: string
  port: number
  identityFile: string
  name?: string
}

/**
 * One node's questions. `record` hears each answer as it is given (the address and SSH details,
 * then the name the node reported), so an interrupted wizard can keep them.
 */
export async function askNode(opts: WizardOptions, index: 0 | 1, first?: ReachedNode, record: (answer: NodeProgress) => void = () => {}): Promise<ReachedNode> {
  const p = opts.prompt
  const label = `node${index + 1}`
  const given = parseSpec('', (index === 0 ? opts.defaults?.node1 : opts.defaults?.node2) ?? '', ['name', 'address', 'user', 'port', 'identityFile'] as const, [])
  let details = {
    address: given.address ?? '',
    user: given.user ?? opts.defaults?.['ssh-user'] ?? first?.ssh.user ?? 'root',
    port: Number(given.port ?? opts.defaults?.['ssh-port'] ?? first?.ssh.port ?? 22),
    identityFile: given.identityFile ?? opts.defaults?.['identity-file'] ?? first?.ssh.identityFile ?? '',
  }
  let answered = false
  const ask = async () => {
    const address = await p.input({
      message: `${label}: address hapair reaches it at over SSH`,
      default: details.address || undefined,
      validate: (v) => (!isIP(v) && !isHostname(v) ? 'an IPv4 or IPv6 address or a host name, like 192.168.1.151 or node1.example.com' : v.toLowerCase() === first?.address.toLowerCase() ? `that is ${first.name}'s address` : true),
    })
    record({...details, address})
    // The first time: flags, then what ~/.ssh/config says for this address, then the first node's
    // answers; after an edit, what was typed before.
    const entry = answered ? {used: []} : (opts.sshConfig?.(address) ?? {used: []})
    const flagged = answered ? {} : {user: given.user ?? opts.defaults?.['ssh-user'], port: given.port ?? opts.defaults?.['ssh-port'], identityFile: given.identityFile ?? opts.defaults?.['identity-file']}
    const user = await p.input({message: `${label}: SSH user (root, or a user with passwordless sudo)`, default: flagged.user ?? entry.user ?? details.user, validate: (v) => /^[a-z_][a-z0-9_.-]*\$?$/i.test(v) || 'a user name'})
    const port = Number(await p.input({message: `${label}: SSH port`, default: String(flagged.port ?? entry.port ?? details.port), validate: intIn(1, 65535)}))
    const identityFile = (await p.input({message: `${label}: SSH key file (empty: ssh-agent, then ~/.ssh/id_*)`, default: flagged.identityFile ?? entry.identityFile ?? details.identityFile, validate: (v) => !v.trim() || /^(\/|~\/)/.test(v.trim()) || 'an absolute path or ~/...'})).trim()
    details = {address, user, port, identityFile}
    answered = true
    record(details)
  }
  await ask()

  for (;;) {
    const ssh: SshConfig = {user: details.user, port: details.port, connectTimeout: 15, ...(details.identityFile && {identityFile: details.identityFile})}
    let usedPassword = false
    try {
      // The answers are explicit; ~/.ssh/config adds only how to dial (HostName, ProxyJump), as at load.
      const problems: ConfigProblem[] = []
      const routed = sshRoute(details.address, ssh, new Set(['user', 'port', 'identityFile']), label, {sshConfig: opts.sshConfig ?? (() => ({used: []})), resolveName: async () => []}, problems)
      if (!routed || problems.length) throw new HapairError(problems.map((q) => q.message).join('; '), ExitCode.usage, problems[0]?.fix)
      const via = routed.route.jumps.length ? ` via ${routed.route.jumps.map((h) => h.name).join(', ')}` : ''
      p.say(`${label}: connecting to ${details.user}@${routed.route.host}${details.port === 22 ? '' : `:${details.port}`}${via} ...`)
      const host = await opts.connect(
        {node: label, address: details.address, ssh: routed.ssh},
        {
          acceptNewHostKeys: opts.acceptNewHostKeys,
          interactive: true,
          confirmHostKey: (node, fingerprint, keyType) =>
            p.confirm({message: `${node === label ? `${node} (${details.address})` : node} is new to known_hosts. It offers the ${keyType} key ${fingerprint}. Trust it and record it?`, default: false}),
          askPassword: (node) => {
            usedPassword = true
            return p.password({message: `${node}: password for ${details.user}@${details.address}`})
          },
        },
      )
      let discovery: Discovery
      try {
        discovery = await discover(host)
      } finally {
        await host.close()
      }
      const {name} = await nameNode(p, label, discovery, given.name)
      record({...details, name})
      // Two answers that reach the same machine are caught here, before any other question.
      if (first && name.toLowerCase() === first.name.toLowerCase()) {
        p.say(`${label}: ${details.address} calls itself "${name}", like ${first.name} (${first.address}): the same machine twice, or two machines with one hostname`)
        const next = await p.select({
          message: `${label}: what now?`,
          choices: [
            {value: 'edit', name: 'change the address (the other machine)'},
            {value: 'retry', name: `try again (after \`hostnamectl set-hostname NAME\` on ${details.address})`},
          ],
          default: 'edit',
        })
        if (next === 'edit') await ask()
        continue
      }
      const ip = isIPv4(details.address) ? undefined : await askNodeIp(p, label, details.address, discovery)
      return {name, address: details.address, ...(ip && {ip}), ssh: {...ssh, identityFile: ssh.identityFile}, discovery, usedPassword}
    } catch (error) {
      const hint = error instanceof HapairError && error.hint ? `\n  ${error.hint}` : ''
      const message = error instanceof Error ? error.message : String(error)
      p.say(`${message.startsWith(`${label}:`) ? message : `${label}: ${message}`}${hint}`)
      const next = await p.select({
        message: `${label} could not be reached. What now?`,
        choices: [
          {value: 'retry', name: 'try again (after fixing it on the node)'},
          {value: 'edit', name: 'change the address or SSH details'},
          {value: 'skip', name: 'go on without testing (you will type its name; disks and NICs are not detected)'},
        ],
        default: 'retry',
      })
      if (next === 'edit') await ask()
      if (next === 'skip') {
        const nodeName = await p.input({
          message: `${label}: its name, exactly as \`uname -n\` prints it there`,
          default: given.name ?? label,
          validate: (v) => (!/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(v) ? 'a short host name' : v.toLowerCase() === first?.name.toLowerCase() ? `that is ${first.name}'s name; each node has its own` : true),
        })
        record({...details, name: nodeName})
        const ip = isIPv4(details.address) ? undefined : await askNodeIp(p, label, details.address, undefined)
        return {name: nodeName, address: details.address, ...(ip && {ip}), ssh: {user: details.user, port: details.port, ...(details.identityFile && {identityFile: details.identityFile})}, usedPassword: false}
      }
    }
  }
}

/** A node addressed by name or IPv6 still needs its IPv4 for keepalived and the VIP: offered from its NICs, checked against them. */
async function askNodeIp(p: Prompter, label: string, address: string, discovery: Discovery | undefined): Promise<string> {
  const {choices, check} = nodeIpChoices(label, discovery?.nics)
  return p.input({
    message: `${label}: its IPv4 address on the VIP's network (${address} is not one)`,
    default: choices[0],
    validate: check,
  })
}

/** The cluster file must use the node's own `uname -n`: heartbeat, corosync and DRBD match on it. */
async function nameNode(p: Prompter, label: string, discovery: Discovery, given: string | undefined): Promise<{name: string}> {
  if (discovery.problems.length) p.say(`${label}: could not read ${discovery.problems.join('; ')}; you will be asked instead of offered defaults`)
  const name = discovery.hostname ?? (await p.input({message: `${label}: its name, exactly as \`uname -n\` prints it there`, default: given ?? label}))
  if (given && given !== name) p.say(`${label}: the node calls itself "${name}" (uname -n), not "${given}"; using "${name}"`)
  p.say(`${label}: reached "${name}"${discovery.disks ? `; disks: ${discovery.disks.map((x) => `${x.path} ${formatSize(x.sizeBytes)}${x.blank ? ' blank' : ''}`).join(', ') || 'none'}` : ''}`)
  return {name}
}
