/**
 * `hapair init` at a terminal: asks for each node's address and SSH details and connects right
 * away, so a typo or a missing key shows up at the question that caused it, not at the first
 * `hapair run`. What the nodes report (hostname, blank disks, NICs, gateway) becomes the defaults
 * of the questions that follow. Nothing is written until the user has seen the file and said yes.
 */
import {resolve} from 'node:path'
import {isHostname, isIP, nodeIp} from '../config/address.js'
import {isExportClient, inSubnet, isIPv4, subnetOf} from '../config/net.js'
import {renderClusterYaml, type ClusterInput} from '../config/save.js'
import type {SshConfig, Stack} from '../config/schema.js'
import {READY_STACKS, stackValue} from '../stacks/registry.js'
import {parseSize, formatSize, sizeAmbiguity} from '../config/size.js'
import {SYSTEM_DIRS} from '../config/validate.js'
import {ExitCode, HapairError, UsageError, type ConfigProblem} from '../errors.js'
import type {Connector} from '../transport/connect-all.js'
import {buildClusterInput, DEFAULTS, stackNeeds, type InitAnswers, type NodeAnswer} from './answers.js'
import {discover, nicFor, subnetFor, suggestDisk, suggestVip, type Discovery} from './discover.js'
import {checkDiskAnswer, checkInterfaceAnswer, checkSizeAnswer, nodeIpChoices} from './check-answers.js'
import {saveDraft} from './draft.js'
import {parseSpec, parseVip, type InitFlags} from './flags.js'
import type {Choice, Prompter} from './prompter.js'
import {exists, writeCluster, type InitResult} from './write.js'
import {sshRoute} from '../config/resolve-nodes.js'
import type {SshConfigLookup} from '../transport/ssh-config.js'

export interface WizardOptions {
  file: string
  force: boolean
  acceptNewHostKeys: boolean
  prompt: Prompter
  connect: Connector
  /** Flags given on the command line become the defaults of the questions. */
  defaults?: InitFlags
  /** ~/.ssh/config: its User, Port and IdentityFile for an address become the defaults, its HostName and ProxyJump how it is dialled. */
  sshConfig?: SshConfigLookup
}

interface ReachedNode extends NodeAnswer {
  ssh: {user: string; port: number; identityFile?: string}
  /** Undefined when the user chose to go on without testing the connection. */
  discovery?: Discovery
  usedPassword: boolean
}

/** Only stacks whose steps exist are offered: a cluster file for any other could not be installed. */
const STACK_CHOICES: Choice<string>[] = READY_STACKS.map((s) => ({value: s.id, name: s.id, description: `${s.title} (seed ${s.seed})`}))

export async function runWizard(opts: WizardOptions): Promise<InitResult> {
  const p = opts.prompt
  const d = opts.defaults ?? {}
  const file = resolve(opts.file)
  let force = opts.force
  if (!force && (await exists(file))) {
    force = await p.confirm({message: `${file} already exists. Replace it? (its secrets file is kept)`, default: false})
    if (!force) throw new UsageError(`${file} already exists; nothing was written`, 'pass --force to replace it, or --config FILE to write another file')
  }
  p.say('A few questions about the two nodes. Each node is reached over SSH as soon as you have described it.')

  const name = await p.input({message: 'Cluster name', default: d.name ?? DEFAULTS.name, validate: (v) => /^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/.test(v) || 'letters, digits, _ . - only'})
  const n1 = await askNode(opts, 0)
  const n2 = await askNode(opts, 1, n1)
  if (n1.usedPassword || n2.usedPassword) {
    p.say('Password logins work, but every hapair command will ask again. `ssh-copy-id` a key to each node to avoid that.')
  }

  const wanted = READY_STACKS.find((s) => s.manager.id === d.stack) ?? READY_STACKS[0]
  // Asked even while one stack is ready: the answer names what will be built.
  const pick = await p.select({message: 'Which HA stack?', choices: STACK_CHOICES, default: wanted.id})
  const chosen = READY_STACKS.find((s) => s.id === pick) ?? wanted
  const stack: Stack = stackValue(chosen)
  const vip = await askVip(p, d, n1, n2)
  const answers: InitAnswers = {name, stack, service: chosen.service.id, nodes: [n1, n2].map(({name: nodeName, address, ip, ssh}) => ({name: nodeName, address, ...(ip && {ip}), ssh})) as [NodeAnswer, NodeAnswer], vip}

  const needs = (section: string) => stackNeeds(answers, section)
  if (chosen.service.usesDrbd) {
    answers.storage = await askStorage(p, d, n1, n2)
    answers.drbd = await askDrbd(p)
    answers.filesystem = await askFilesystem(p, d)
    if (needs('nfs')) {
      const clients = await p.input({
        message: 'NFS clients allowed (*, a host, an address or a network)',
        default: d['export-clients'] ?? subnetFor(n1.discovery?.nics, nodeIp(n1)) ?? subnetOf(vip.address, vip.prefix),
        validate: (v) => isExportClient(v) || 'one of: *, host.example.com, 192.168.1.20, 192.168.1.0/24',
      })
      answers.nfs = {clients}
    }
  }
  if (needs('keepalived')) {
    const vrid = await p.input({message: 'VRRP virtual router id (1-255, unused by other VRRP routers on this network)', default: String(d.vrid ?? DEFAULTS.virtualRouterId), validate: intIn(1, 255)})
    const preempt = await p.confirm({message: `When ${n1.name} comes back after a failover, take the VIP back from ${n2.name}?`, default: true})
    answers.keepalived = {virtualRouterId: Number(vrid), preempt}
  }
  if (needs('heartbeat')) {
    const gateway = n1.discovery?.gateway
    const ping = await p.input({
      message: 'Address both nodes can ping, usually the gateway (empty: none); a node that cannot reach it gives up the service',
      default: gateway ?? '',
      validate: (v) => !v || (isIPv4(v) && v !== vip.address && v !== nodeIp(n1) && v !== nodeIp(n2)) || 'an IPv4 address of a third machine, or empty',
    })
    const autoFailback = await p.confirm({message: `When ${n1.name} comes back, move the service back to it (auto_failback)?`, default: false})
    answers.heartbeat = {...(ping && {ping}), autoFailback}
  }
  if (needs('pacemaker')) {
    answers.pacemaker = {clusterName: await p.input({message: 'Corosync cluster name', default: name.replace(/[^a-zA-Z0-9_.-]/g, '') || 'hapair', validate: (v) => /^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/.test(v) || 'letters, digits, _ . - only'})}
  }
  if (needs('lvs')) answers.lvs = await askLvs(p, d, [nodeIp(n1), nodeIp(n2), vip.address])

  const input = buildClusterInput(answers)
  p.say(`\n${renderClusterYaml(input, {fileName: file})}`)
  if (!(await p.confirm({message: `Write ${file}?`, default: true}))) {
    throw new HapairError('nothing was written', ExitCode.interrupted)
  }
  const result = await writeOrKeepDraft(p, file, input, force)
  p.say(`Wrote ${result.file}.`)
  p.say(result.secretsCreated ? `Generated secrets into ${result.secretsFile} (mode 0600). Keep it private, out of version control.` : `Kept the existing secrets in ${result.secretsFile}.`)
  return result
}

/**
 * Every answer is in `input` by now: a failure while writing (the loader refusing a combination,
 * an unreadable secrets file, a full disk) must not cost them. The operator may keep them as a
 * draft beside the file, fix it, and rename it into place.
 */
async function writeOrKeepDraft(p: Prompter, file: string, input: ClusterInput, force: boolean): Promise<InitResult> {
  try {
    return await writeCluster(file, input, {force})
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    p.say(`Could not write ${file}: ${message}`)
    if (await p.confirm({message: 'Keep your answers in a draft file, to fix and use later?', default: true})) {
      const draft = await saveDraft(file, input)
      p.say(`Your answers are in ${draft}. Fix what is reported above, then: mv ${draft} ${file} && hapair -c ${file} preflight`)
    }
    throw error
  }
}

async function askNode(opts: WizardOptions, index: 0 | 1, first?: ReachedNode): Promise<ReachedNode> {
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
    // The first time: flags, then what ~/.ssh/config says for this address, then the first node's
    // answers; after an edit, what was typed before.
    const entry = answered ? {used: []} : (opts.sshConfig?.(address) ?? {used: []})
    const flagged = answered ? {} : {user: given.user ?? opts.defaults?.['ssh-user'], port: given.port ?? opts.defaults?.['ssh-port'], identityFile: given.identityFile ?? opts.defaults?.['identity-file']}
    const user = await p.input({message: `${label}: SSH user (root, or a user with passwordless sudo)`, default: flagged.user ?? entry.user ?? details.user, validate: (v) => /^[a-z_][a-z0-9_.-]*\$?$/i.test(v) || 'a user name'})
    const port = Number(await p.input({message: `${label}: SSH port`, default: String(flagged.port ?? entry.port ?? details.port), validate: intIn(1, 65535)}))
    const identityFile = (await p.input({message: `${label}: SSH key file (empty: ssh-agent, then ~/.ssh/id_*)`, default: flagged.identityFile ?? entry.identityFile ?? details.identityFile, validate: (v) => !v.trim() || /^(\/|~\/)/.test(v.trim()) || 'an absolute path or ~/...'})).trim()
    details = {address, user, port, identityFile}
    answered = true
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

async function askVip(p: Prompter, d: InitFlags, n1: ReachedNode, n2: ReachedNode): Promise<InitAnswers['vip']> {
  const [ip1, ip2] = [nodeIp(n1), nodeIp(n2)]
  const nic1 = nicFor(n1.discovery?.nics, ip1)
  const nic2 = nicFor(n2.discovery?.nics, ip2)
  const given = d.vip ? parseVip(d.vip, []) : undefined
  const detected = nic1?.prefix ?? nic2?.prefix
  const address = await p.input({
    message: 'Floating IP (VIP) clients will use: a third, unused address on the nodes\' network',
    default: given?.address ?? suggestVip(ip1, detected ?? 24, [ip1, ip2]),
    validate: (v) => {
      if (!isIPv4(v)) return 'an IPv4 address like 192.168.1.200'
      if (v === ip1 || v === ip2) return 'that is a node\'s own address; the VIP must be a third one'
      if (detected !== undefined && !inSubnet(ip1, v, detected)) return `not on the nodes' network ${subnetOf(ip1, detected)}`
      return true
    },
  })
  const prefix = Number(
    await p.input({
      message: 'Its network prefix length',
      default: String(given?.prefix ?? detected ?? 24),
      validate: (v) => {
        const ok = intIn(1, 32)(v)
        if (ok !== true) return ok
        const missing = [n1, n2].filter((n) => !inSubnet(nodeIp(n), address, Number(v)))
        return missing.length === 0 || `${address}/${v} does not contain ${missing.map((n) => `${n.name} (${nodeIp(n)})`).join(' or ')}`
      },
    }),
  )
  if (nic1 && nic2 && nic1.name !== nic2.name) {
    p.say(`Note: ${n1.name} has its address on ${nic1.name}, ${n2.name} on ${nic2.name}; the cluster file names one interface for both, so give them the same name (a systemd .link file) first.`)
  }
  const iface = await p.input({
    message: 'Network interface that carries the VIP',
    default: d.interface ?? nic1?.name ?? nic2?.name ?? 'eth0',
    validate: (v) => (!/^[a-zA-Z0-9_.:-]{1,15}$/.test(v) ? 'an interface name like eth0' : checkInterfaceAnswer(v, [n1, n2].map((n) => ({name: n.name, nics: n.discovery?.nics})))),
  })
  return {address, prefix, interface: iface}
}

async function askStorage(p: Prompter, d: InitFlags, n1: ReachedNode, n2: ReachedNode): Promise<NonNullable<InitAnswers['storage']>> {
  const OTHER = '\u0000other'
  let disk: string | undefined
  const lists = [n1.discovery?.disks, n2.discovery?.disks]
  if (lists.some(Boolean)) {
    const paths = [...new Set(lists.flatMap((l) => (l ?? []).map((x) => x.path)))].sort()
    const choices: Choice<string>[] = paths.map((path) => {
      const states = [n1, n2].map((n, i) => ({node: n.name, known: Boolean(lists[i]), disk: lists[i]?.find((x) => x.path === path)}))
      const missing = states.filter((s) => s.known && !s.disk)
      const root = states.find((s) => s.disk?.root)
      const busy = states.filter((s) => s.disk && !s.disk.blank)
      const size = Math.min(...states.map((s) => s.disk?.sizeBytes ?? Infinity))
      return {
        value: path,
        name: `${path}  ${formatSize(size)}${busy.length === 0 ? '  blank' : ''}`,
        ...(root ? {disabled: `holds ${root.node}'s root filesystem`} : missing.length ? {disabled: `not on ${missing.map((s) => s.node).join(', ')}`} : {}),
        ...(busy.length && !root && {description: `holds data (${busy.map((s) => `${s.node}: ${s.disk!.inUse.join(', ')}`).join('; ')}); hapair will not touch it without --wipe`}),
      }
    })
    choices.push({value: OTHER, name: 'another device (type its path)'})
    const suggested = d.disk ?? suggestDisk(lists[0], lists[1])
    disk = await p.select({message: 'Disk to replicate with DRBD (the same path on both nodes)', choices, default: suggested && paths.includes(suggested) ? suggested : undefined})
    if (disk === OTHER) disk = undefined
  }
  const known = [n1, n2].map((n, i) => ({name: n.name, disks: lists[i]}))
  disk ??= await p.input({message: 'Disk to replicate with DRBD (the same path on both nodes)', default: d.disk ?? '/dev/sdb', validate: (v) => (!v.startsWith('/dev/') ? 'a device path like /dev/sdb' : checkDiskAnswer(v, known))})
  const chosenDisk = disk
  const size = await p.input({
    message: 'Size of the DRBD partition ("rest" for the whole remaining disk, or e.g. 10G)',
    default: d.size ?? DEFAULTS.size,
    validate: (v) => {
      const ambiguous = sizeAmbiguity(v)
      if (ambiguous) return `${ambiguous.message}; ${ambiguous.fix}`
      if (v !== 'rest' && (parseSize(v) ?? 0) < 16 * 2 ** 20) return 'rest, or a size of at least 16M like 10G or 10GiB'
      return checkSizeAnswer(v, chosenDisk, known)
    },
  })
  return {disk, size}
}

async function askDrbd(p: Prompter): Promise<InitAnswers['drbd']> {
  const {resource, port, protocol} = DEFAULTS.drbd
  if (await p.confirm({message: `DRBD: resource ${resource} on /dev/drbd0, port ${port}, protocol ${protocol} (a write completes on both nodes). Keep these?`, default: true})) return {}
  return {
    resource: await p.input({message: 'DRBD resource name', default: resource, validate: (v) => /^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/.test(v) || 'letters, digits, _ . -'}),
    port: Number(await p.input({message: 'DRBD replication port (TCP)', default: String(port), validate: intIn(1, 65535)})),
    protocol: await p.select<'A' | 'B' | 'C'>({
      message: 'DRBD protocol',
      choices: [
        {value: 'C', name: 'C: synchronous; a write completes once both disks have it (no data loss on failover)'},
        {value: 'B', name: 'B: semi-synchronous; complete once the peer has received it'},
        {value: 'A', name: 'A: asynchronous; complete once sent (fast, may lose the last writes)'},
      ],
      default: 'C',
    }),
  }
}

async function askFilesystem(p: Prompter, d: InitFlags): Promise<NonNullable<InitAnswers['filesystem']>> {
  const type = await p.select<'ext4' | 'xfs'>({message: 'Filesystem on the DRBD device', choices: [{value: 'ext4'}, {value: 'xfs'}], default: (d['fs-type'] as 'ext4' | 'xfs' | undefined) ?? 'ext4'})
  const mountPoint = await p.input({
    message: 'Mount point (the same on both nodes)',
    default: d.mount ?? DEFAULTS.mountPoint,
    validate: (v) => (!/^\/[^\s]*[^/]$/.test(v) ? 'an absolute path like /data' : SYSTEM_DIRS.has(v) ? 'a system directory; use a directory of its own like /data' : true),
  })
  return {type, mountPoint}
}

async function askLvs(p: Prompter, d: InitFlags, taken: string[]): Promise<NonNullable<InitAnswers['lvs']>> {
  const port = Number(await p.input({message: 'Service port the directors balance (TCP)', default: '80', validate: intIn(1, 65535)}))
  const scheduler = await p.select<'rr' | 'wrr' | 'lc' | 'wlc' | 'sh' | 'dh'>({
    message: 'Scheduler',
    choices: [
      {value: 'rr', name: 'rr: round robin'},
      {value: 'wrr', name: 'wrr: weighted round robin'},
      {value: 'lc', name: 'lc: least connections'},
      {value: 'wlc', name: 'wlc: weighted least connections'},
      {value: 'sh', name: 'sh: source hashing (a client sticks to one server)'},
      {value: 'dh', name: 'dh: destination hashing'},
    ],
    default: 'rr',
  })
  const realServers: {name: string; address: string}[] = (d['real-server'] ?? []).map((spec) => parseSpec('', spec, ['name', 'address'] as const, [])).filter((s): s is {name: string; address: string} => Boolean(s.name && s.address))
  while (realServers.length === 0 || (await p.confirm({message: 'Add another real server?', default: realServers.length < 2}))) {
    const n = realServers.length + 1
    const name = await p.input({message: `Real server ${n}: name`, default: `web${n}`, validate: (v) => /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(v) || 'a short host name'})
    const address = await p.input({
      message: `Real server ${n}: address`,
      validate: (v) => (!isIPv4(v) ? 'an IPv4 address' : [...taken, ...realServers.map((s) => s.address)].includes(v) ? 'already used by a director, the VIP or another real server' : true),
    })
    realServers.push({name, address})
  }
  return {port, scheduler, realServers}
}

function intIn(min: number, max: number): (v: string) => true | string {
  return (v) => (/^\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max) || `a whole number from ${min} to ${max}`
}
