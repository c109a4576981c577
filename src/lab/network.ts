/**
 * The lab network: namespace NETNS_SWITCH holds bridge br0 with one tap per guest; the client
 * namespace and any namespace nodes hang on br0 by veth pairs. No namespace has a default route
 * and the host's own namespace gets no lab address, so lab traffic cannot leave.
 */
import {existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {spawn} from 'node:child_process'
import {join} from 'node:path'
import {ALL_GUESTS, BRIDGE, CLIENT_ADDRESS, GUESTS, RESERVED_ADDRESSES, NETNS_CLIENT, NETNS_NODE_PREFIX, NETNS_SWITCH, PREFIX} from './topology.js'
import {labEnv, LabError, mustRun, run, runInteractive, sleep, type RunOptions, type RunResult} from './run.js'
import {labPaths, namespaceNodeDir, type LabPaths} from './paths.js'
import {killPid} from './process.js'

export async function listNamespaces(): Promise<string[]> {
  const r = await run(['ip', 'netns', 'list'])
  return r.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean)
}

async function addNamespace(name: string): Promise<void> {
  await mustRun(['ip', 'netns', 'add', name])
  await mustRun(['ip', '-n', name, 'link', 'set', 'lo', 'up'])
}

/**
 * Joins a new namespace to br0 with a veth pair: `eth0` inside it, `peer` on the bridge.
 */
async function plugIntoBridge(netns: string, peer: string, address: string): Promise<void> {
  await mustRun(['ip', '-n', netns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', peer, 'netns', NETNS_SWITCH])
  await mustRun(['ip', '-n', NETNS_SWITCH, 'link', 'set', peer, 'master', BRIDGE, 'up'])
  await mustRun(['ip', '-n', netns, 'addr', 'add', `${address}/${PREFIX}`, 'dev', 'eth0'])
  await mustRun(['ip', '-n', netns, 'link', 'set', 'eth0', 'up'])
}

export async function createNetwork(): Promise<void> {
  await addNamespace(NETNS_SWITCH)
  await mustRun(['ip', '-n', NETNS_SWITCH, 'link', 'add', BRIDGE, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0'])
  await mustRun(['ip', '-n', NETNS_SWITCH, 'link', 'set', BRIDGE, 'up'])
  for (const g of ALL_GUESTS) {
    await mustRun(['ip', '-n', NETNS_SWITCH, 'tuntap', 'add', g.tap, 'mode', 'tap'])
    await mustRun(['ip', '-n', NETNS_SWITCH, 'link', 'set', g.tap, 'master', BRIDGE, 'up'])
  }
  await addNamespace(NETNS_CLIENT)
  await plugIntoBridge(NETNS_CLIENT, 'vclient', CLIENT_ADDRESS)
}

/** The lab's namespaces present now (fixed ones and namespace nodes). */
export async function labNamespaces(): Promise<string[]> {
  return (await listNamespaces()).filter(
    (n) => n === NETNS_SWITCH || n === NETNS_CLIENT || n.startsWith(NETNS_NODE_PREFIX),
  )
}

/** Pids of the processes living in a namespace (`ip netns pids`). */
export async function namespacePids(netns: string): Promise<number[]> {
  const r = await run(['ip', 'netns', 'pids', netns])
  return r.stdout.split(/\s+/).filter(Boolean).map(Number)
}

/**
 * Kills what runs inside the namespace (by pid) and deletes it; the taps and veths in it go
 * with it. Missing namespaces are fine: teardown must work after a crash too.
 */
export async function removeNamespace(netns: string): Promise<number[]> {
  if (!(await listNamespaces()).includes(netns)) return []
  const pids = await namespacePids(netns)
  await Promise.all(pids.map((pid) => killPid(pid)))
  await mustRun(['ip', 'netns', 'del', netns])
  return pids
}

/** Split brain: isolated bridge ports cannot reach each other, but still reach the client. */
export async function setGuestsIsolated(isolated: boolean): Promise<void> {
  for (const g of GUESTS) {
    await mustRun(['bridge', '-n', NETNS_SWITCH, 'link', 'set', 'dev', g.tap, 'isolated', isolated ? 'on' : 'off'])
  }
}

/** Whether the guests' bridge ports are isolated (a split brain is in force). */
export async function guestsIsolated(): Promise<boolean> {
  const r = await run(['bridge', '-n', NETNS_SWITCH, '-j', '-d', 'link', 'show'])
  if (r.code !== 0) return false
  const ports = JSON.parse(r.stdout || '[]') as {ifname: string; isolated?: boolean}[]
  return ports.some((p) => GUESTS.some((g) => g.tap === p.ifname) && p.isolated === true)
}

/** argv that runs a command in a namespace. */
export function inNamespace(netns: string, argv: string[]): string[] {
  return ['ip', 'netns', 'exec', netns, ...argv]
}

/** Runs argv inside the client namespace (where hapair, ssh and the NFS client belong). */
export function clientExec(argv: string[], options?: RunOptions): Promise<RunResult> {
  return run(inNamespace(NETNS_CLIENT, argv), options)
}

/** Same, with the terminal attached; resolves to the exit code. */
export function clientExecInteractive(argv: string[]): Promise<number> {
  return runInteractive(inNamespace(NETNS_CLIENT, argv))
}

// ---- namespace nodes -------------------------------------------------------------------------

export interface NamespaceNodeOptions {
  /** Short name: letters and digits, at most 12 (it names a veth). */
  name: string
  /** An address on the lab subnet, e.g. 192.168.77.21 */
  address: string
  /** A long-running command to start in the node, e.g. ['nginx', '-g', 'daemon off;']. */
  command?: string[]
  /** Shortcut: serve this text at http://ADDRESS/ with busybox httpd (an LVS real server). */
  httpBody?: string
}

export interface NamespaceNode {
  name: string
  netns: string
  address: string
  /** Pid of the started command, if any. */
  pid?: number
}

export function namespaceNodeNetns(name: string): string {
  return `${NETNS_NODE_PREFIX}${name}`
}

/**
 * Adds a light node: a namespace on the lab bridge with one address, optionally running one
 * command (its output in <lab dir>/ns/NAME/out.log). `lab down` removes it with the rest.
 */
export async function addNamespaceNode(opts: NamespaceNodeOptions, paths: LabPaths = labPaths()): Promise<NamespaceNode> {
  if (!/^[a-z][a-z0-9]{0,11}$/.test(opts.name)) throw new LabError(`namespace node name "${opts.name}": use 1-12 lowercase letters and digits`)
  if (RESERVED_ADDRESSES.includes(opts.address)) throw new LabError(`namespace node ${opts.name}: ${opts.address} belongs to a lab guest, the client namespace or the VIP`, 'use another address on 192.168.77.0/24, e.g. 192.168.77.21')
  if (!(await listNamespaces()).includes(NETNS_SWITCH)) throw new LabError('the lab network is not up: run `hapair lab up` first')
  const netns = namespaceNodeNetns(opts.name)
  await removeNamespace(netns)
  await addNamespace(netns)
  await plugIntoBridge(netns, `vn${opts.name}`, opts.address)
  const dir = namespaceNodeDir(paths, opts.name)
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(dir, {recursive: true})
  let command = opts.command
  if (opts.httpBody !== undefined) {
    mkdirSync(join(dir, 'www'))
    writeFileSync(join(dir, 'www', 'index.html'), opts.httpBody)
    command = ['busybox', 'httpd', '-f', '-p', '80', '-h', join(dir, 'www')]
  }
  const node: NamespaceNode = {name: opts.name, netns, address: opts.address}
  if (command) {
    const out = openSync(join(dir, 'out.log'), 'a')
    const [program, ...args] = inNamespace(netns, command)
    const child = spawn(program, args, {env: labEnv(), stdio: ['ignore', out, out], detached: true})
    closeSync(out)
    child.unref()
    node.pid = child.pid
    writeFileSync(join(dir, 'pid'), `${child.pid}\n`)
    await sleep(200)
    if (child.exitCode !== null) {
      throw new LabError(`namespace node ${opts.name}: "${command.join(' ')}" exited: ${readFileSync(join(dir, 'out.log'), 'utf8').trim()}`)
    }
  }
  return node
}

export async function removeNamespaceNode(name: string, paths: LabPaths = labPaths()): Promise<void> {
  await removeNamespace(namespaceNodeNetns(name))
  const dir = namespaceNodeDir(paths, name)
  if (existsSync(dir)) rmSync(dir, {recursive: true, force: true})
}

/** Runs argv inside a namespace node. */
export function namespaceNodeExec(name: string, argv: string[], options?: RunOptions): Promise<RunResult> {
  return run(inNamespace(namespaceNodeNetns(name), argv), options)
}
