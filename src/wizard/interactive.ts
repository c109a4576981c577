/**
 * `hapair init` at a terminal: asks for each node's address and SSH details and connects right
 * away, so a typo or a missing key shows up at the question that caused it, not at the first
 * `hapair run`. What the nodes report (hostname, blank disks, NICs, gateway) becomes the defaults
 * of the questions that follow. Nothing is written until the user has seen the file and said yes.
 */
import {resolve} from 'node:path'
import {nodeIp} from '../config/address.js'
import {isExportClient, isIPv4, subnetOf} from '../config/net.js'
import {renderClusterYaml, type ClusterInput} from '../config/save.js'
import type {Stack} from '../config/schema.js'
import {READY_STACKS, stackValue} from '../stacks/registry.js'
import {ExitCode, HapairError, InterruptedError, UsageError} from '../errors.js'
import type {Connector} from '../transport/connect-all.js'
import {buildClusterInput, DEFAULTS, stackNeeds, type InitAnswers, type NodeAnswer} from './answers.js'
import {askNode, type NodeProgress} from './ask-node.js'
import {askDrbd, askFilesystem, askLvs, askStorage, askVip, intIn} from './ask-service.js'
import {subnetFor} from './discover.js'
import {saveDraft} from './draft.js'
import type {InitFlags} from './flags.js'
import {dropProgress, nodeSpec, saveProgress} from './progress.js'
import type {Choice, Prompter} from './prompter.js'
import {exists, writeCluster, type InitResult} from './write.js'
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

/** Only stacks whose steps exist are offered: a cluster file for any other could not be installed. */
const STACK_CHOICES: Choice<string>[] = READY_STACKS.map((s) => ({value: s.id, name: s.id, description: `${s.title} (seed ${s.seed})`}))

/**
 * Ctrl-C (or "no" to writing) must not cost the answers given: they are kept beside the file
 * (progress.ts) and `hapair init --resume` offers them again as defaults.
 */
export async function runWizard(opts: WizardOptions): Promise<InitResult> {
  const file = resolve(opts.file)
  const sofar: InitFlags = {}
  try {
    const result = await askAndWrite(opts, file, sofar)
    dropProgress(file)
    return result
  } catch (error) {
    const interrupted = error instanceof InterruptedError || (error instanceof HapairError && error.exitCode === ExitCode.interrupted)
    if (interrupted && Object.keys(sofar).length > 0) {
      const kept = await saveProgress(file, sofar)
      opts.prompt.say(`\nYour answers so far are kept in ${kept}. To go on from them: hapair init --resume${opts.file === 'hapair.yaml' ? '' : ` -c ${opts.file}`}`)
    }
    throw error
  }
}

async function askAndWrite(opts: WizardOptions, file: string, sofar: InitFlags): Promise<InitResult> {
  const p = opts.prompt
  const d = opts.defaults ?? {}
  let force = opts.force
  if (!force && (await exists(file))) {
    force = await p.confirm({message: `${file} already exists. Replace it? (its secrets file is kept)`, default: false})
    if (!force) throw new UsageError(`${file} already exists; nothing was written`, 'pass --force to replace it, or --config FILE to write another file')
  }
  p.say('A few questions about the two nodes. Each node is reached over SSH as soon as you have described it.')

  const name = await p.input({message: 'Cluster name', default: d.name ?? DEFAULTS.name, validate: (v) => /^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/.test(v) || 'letters, digits, _ . - only'})
  sofar.name = name
  const n1 = await askNode(opts, 0, undefined, (a: NodeProgress) => (sofar.node1 = nodeSpec(a)))
  const n2 = await askNode(opts, 1, n1, (a: NodeProgress) => (sofar.node2 = nodeSpec(a)))
  if (n1.usedPassword || n2.usedPassword) {
    p.say('Password logins work, but every hapair command will ask again. `ssh-copy-id` a key to each node to avoid that.')
  }

  const wanted = READY_STACKS.find((s) => s.manager.id === d.stack) ?? READY_STACKS[0]
  // Asked even while one stack is ready: the answer names what will be built.
  const pick = await p.select({message: 'Which HA stack?', choices: STACK_CHOICES, default: wanted.id})
  const chosen = READY_STACKS.find((s) => s.id === pick) ?? wanted
  const stack: Stack = stackValue(chosen)
  sofar.stack = chosen.manager.id
  const vip = await askVip(p, d, n1, n2)
  Object.assign(sofar, {vip: `${vip.address}/${vip.prefix}`, interface: vip.interface})
  const answers: InitAnswers = {name, stack, service: chosen.service.id, nodes: [n1, n2].map(({name: nodeName, address, ip, ssh}) => ({name: nodeName, address, ...(ip && {ip}), ssh})) as [NodeAnswer, NodeAnswer], vip}

  const needs = (section: string) => stackNeeds(answers, section)
  if (chosen.service.usesDrbd) {
    answers.storage = await askStorage(p, d, n1, n2)
    Object.assign(sofar, {disk: answers.storage.disk, size: answers.storage.size})
    answers.drbd = await askDrbd(p)
    answers.filesystem = await askFilesystem(p, d)
    Object.assign(sofar, {mount: answers.filesystem.mountPoint, 'fs-type': answers.filesystem.type})
    if (needs('nfs')) {
      const clients = await p.input({
        message: 'NFS clients allowed (*, a host, an address or a network)',
        default: d['export-clients'] ?? subnetFor(n1.discovery?.nics, nodeIp(n1)) ?? subnetOf(vip.address, vip.prefix),
        validate: (v) => isExportClient(v) || 'one of: *, host.example.com, 192.168.1.20, 192.168.1.0/24',
      })
      answers.nfs = {clients}
      sofar['export-clients'] = clients
    }
  }
  if (needs('keepalived')) {
    const vrid = await p.input({message: 'VRRP virtual router id (1-255, unused by other VRRP routers on this network)', default: String(d.vrid ?? DEFAULTS.virtualRouterId), validate: intIn(1, 255)})
    const preempt = await p.confirm({message: `When ${n1.name} comes back after a failover, take the VIP back from ${n2.name}?`, default: true})
    answers.keepalived = {virtualRouterId: Number(vrid), preempt}
    sofar.vrid = Number(vrid)
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
