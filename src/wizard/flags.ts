/**
 * `hapair init --yes` builds its answers from flags alone: no prompts, no SSH. Flag values are
 * parsed here (`--node1 name=node1,address=10.0.0.11`); whether they make a valid cluster is left
 * to the same loader every command uses, whose problems are then pointed back at the flags.
 */
import {didYouMean} from '../config/did-you-mean.js'
import {subnetOf, isIPv4} from '../config/net.js'
import {STACKS, type Stack} from '../config/schema.js'
import {ConfigError, UsageError, type ConfigProblem} from '../errors.js'
import {answeredStack, DEFAULTS, stackNeeds, type InitAnswers, type NodeAnswer} from './answers.js'
import {describeChoice, READY_STACKS} from '../stacks/registry.js'

export interface InitFlags {
  name?: string
  stack?: string
  node1?: string
  node2?: string
  vip?: string
  interface?: string
  disk?: string
  size?: string
  mount?: string
  'fs-type'?: string
  'export-clients'?: string
  nfs?: boolean
  vrid?: number
  'ssh-user'?: string
  'ssh-port'?: number
  'identity-file'?: string
  'real-server'?: string[]
}

const NODE_KEYS = ['name', 'address', 'ip', 'user', 'port', 'identityFile', 'priority'] as const
const SERVER_KEYS = ['name', 'address', 'port'] as const

/** `name=node1,address=10.0.0.11,user=admin` -> its fields; unknown keys and bad numbers are errors. */
export function parseSpec<K extends string>(flag: string, spec: string, keys: readonly K[], errors: string[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {}
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=')
    const key = eq > 0 ? part.slice(0, eq).trim() : ''
    if (!key) {
      errors.push(`${flag}: "${part}" is not key=value (e.g. ${flag} name=node1,address=192.168.1.151)`)
      continue
    }
    const known = keys.find((k) => k.toLowerCase() === key.toLowerCase().replace(/[-_]/g, '')) ?? (key === 'identity-file' ? keys.find((k) => k === 'identityFile') : undefined)
    if (!known) {
      const guess = didYouMean(key, keys)
      errors.push(`${flag}: unknown key "${key}"${guess ? ` (did you mean ${guess}?)` : ''}; known keys: ${keys.join(', ')}`)
      continue
    }
    out[known] = part.slice(eq + 1).trim()
  }
  return out
}

function toInt(flag: string, key: string, value: string | undefined, errors: string[]): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) {
    errors.push(`${flag}: ${key}=${value} is not a whole number`)
    return undefined
  }
  return Number(value)
}

function nodeFromFlag(flag: string, spec: string, shared: NodeAnswer['ssh'], errors: string[]): NodeAnswer {
  const f = parseSpec(flag, spec, NODE_KEYS, errors)
  for (const key of ['name', 'address'] as const) if (!f[key]) errors.push(`${flag}: needs ${key}=... (e.g. ${flag} name=node1,address=192.168.1.151)`)
  return {
    name: f.name ?? '',
    address: f.address ?? '',
    ...(f.ip && {ip: f.ip}),
    ...(f.priority !== undefined && {priority: toInt(flag, 'priority', f.priority, errors)}),
    ssh: {user: f.user ?? shared?.user, port: toInt(flag, 'port', f.port, errors) ?? shared?.port, identityFile: f.identityFile ?? shared?.identityFile},
  }
}

/** `192.168.1.200/24` -> address and prefix. */
export function parseVip(spec: string, errors: string[]): {address: string; prefix: number} {
  const m = /^([^/\s]+)\/(\d{1,2})$/.exec(spec.trim())
  if (!m) {
    errors.push(`--vip: "${spec}" must be address/prefix, e.g. --vip 192.168.1.200/24`)
    return {address: spec, prefix: 24}
  }
  return {address: m[1], prefix: Number(m[2])}
}

/** Answers from flags; every missing or malformed flag is reported in one UsageError. */
export function answersFromFlags(flags: InitFlags): InitAnswers {
  const errors: string[] = []
  const stack = (flags.stack ?? DEFAULTS.stack) as Stack
  if (!STACKS.includes(stack)) {
    const guess = didYouMean(stack, STACKS)
    errors.push(`--stack: "${flags.stack}" is not one of ${STACKS.join(', ')}${guess ? ` (did you mean ${guess}?)` : ''}`)
  }
  const shape = {stack, nfs: flags.nfs === false ? undefined : {clients: ''}}
  const chosen = STACKS.includes(stack) ? answeredStack(shape) : undefined
  if (chosen && !chosen.ready) {
    errors.push(`--stack ${stack}${flags.nfs === false ? ' --no-nfs' : ''}: the ${chosen.title} stack is not built in this version of hapair yet (ready: ${READY_STACKS.map((s) => describeChoice(s)).join('; ')})`)
  }
  const usesDisk = chosen?.service.usesDrbd ?? true
  const required: (keyof InitFlags)[] = ['node1', 'node2', 'vip', 'interface', ...(usesDisk ? (['disk'] as const) : [])]
  if (stackNeeds(shape, 'lvs') && !flags['real-server']?.length) errors.push('--real-server is required for the lvs stack (e.g. --real-server name=web1,address=192.168.1.161)')
  for (const name of required) if (flags[name] === undefined) errors.push(`--${name} is required with --yes${FLAG_EXAMPLES[name] ? ` (e.g. --${name} ${FLAG_EXAMPLES[name]})` : ''}`)

  const shared = {user: flags['ssh-user'], port: flags['ssh-port'], identityFile: flags['identity-file']}
  const node = (flag: '--node1' | '--node2', spec: string | undefined) => (spec === undefined ? {name: '', address: ''} : nodeFromFlag(flag, spec, shared, errors))
  const nodes: [NodeAnswer, NodeAnswer] = [node('--node1', flags.node1), node('--node2', flags.node2)]
  const vip = flags.vip !== undefined ? parseVip(flags.vip, errors) : {address: '', prefix: 24}
  const realServers = (flags['real-server'] ?? []).map((spec) => {
    const f = parseSpec('--real-server', spec, SERVER_KEYS, errors)
    return {name: f.name ?? '', address: f.address ?? '', ...(f.port !== undefined && {port: toInt('--real-server', 'port', f.port, errors)})}
  })
  const fsType = flags['fs-type']
  if (fsType !== undefined && fsType !== 'ext4' && fsType !== 'xfs') errors.push(`--fs-type: "${fsType}" must be ext4 or xfs`)
  if (errors.length) throw new UsageError(`hapair init --yes: ${errors.length} problem${errors.length === 1 ? '' : 's'} with the flags:\n  ${errors.join('\n  ')}`, 'run `hapair init` without --yes to be asked instead')

  // NFS clients default to the VIP's own subnet: the network the service is offered on.
  const clients = flags['export-clients'] ?? (isIPv4(vip.address) ? subnetOf(vip.address, vip.prefix) : '')
  return {
    name: flags.name ?? DEFAULTS.name,
    stack,
    nodes,
    vip: {...vip, interface: flags.interface!},
    ...(usesDisk && {
      storage: {disk: flags.disk!, size: flags.size ?? DEFAULTS.size},
      filesystem: {type: (fsType as 'ext4' | 'xfs' | undefined) ?? 'ext4', mountPoint: flags.mount ?? DEFAULTS.mountPoint},
      ...(flags.nfs !== false && {nfs: {clients}}),
    }),
    ...(stackNeeds(shape, 'keepalived') && {keepalived: {virtualRouterId: flags.vrid ?? DEFAULTS.virtualRouterId}}),
    ...(stackNeeds(shape, 'lvs') && {lvs: {realServers}}),
  }
}

const FLAG_EXAMPLES: Partial<Record<keyof InitFlags, string>> = {
  node1: 'name=node1,address=192.168.1.151',
  node2: 'name=node2,address=192.168.1.152',
  vip: '192.168.1.200/24',
  interface: 'eth0',
  disk: '/dev/sdb',
}

/** Which flag sets a path of the cluster file, so a problem found by the loader names the flag to change. */
export function flagFor(path: string): string | undefined {
  const rules: [RegExp, string][] = [
    [/^name$/, '--name'],
    [/^stack$/, '--stack'],
    [/^nodes\[0\]/, '--node1'],
    [/^nodes\[1\]/, '--node2'],
    [/^nodes$/, '--node1/--node2'],
    [/^vip\.interface/, '--interface'],
    [/^vip/, '--vip'],
    [/^storage\.disk/, '--disk'],
    [/^storage\.partition/, '--size'],
    [/^filesystem\.type/, '--fs-type'],
    [/^filesystem/, '--mount'],
    [/^nfs\.exports\[\d+\]\.clients/, '--export-clients'],
    [/^nfs\.exports\[\d+\]\.path/, '--mount'],
    [/^keepalived\.virtualRouterId/, '--vrid'],
    [/^lvs\.realServers/, '--real-server'],
  ]
  return rules.find(([re]) => re.test(path))?.[1]
}

/** The loader's problems, each fix prefixed with the flag to change. */
export function withFlagHints(error: ConfigError): ConfigError {
  const problems: ConfigProblem[] = error.problems.map((p) => {
    const flag = flagFor(p.path)
    const {line: _line, column: _column, ...rest} = p // lines of a file the user never saw
    return flag ? {...rest, fix: `${flag}: ${p.fix ?? ''}`} : rest
  })
  return new ConfigError(error.file, problems)
}
