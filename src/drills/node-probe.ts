/**
 * The one facts script a drill runs on a node per poll (4 times a second, over the run's own SSH
 * connection): who holds the VIP, the DRBD state, whether the filesystem is mounted, whether
 * nfsd runs; full probes (health checks, not the 4-per-second polls) also whether the HA daemon
 * runs and what the kernel said about split brain. Cheap reads only (/proc files, one `ip` call),
 * so a poll costs a few milliseconds on a real node.
 */
import type {ClusterConfig} from '../config/schema.js'
import {factSet, shq, type Fact, type FactSet} from '../facts/fact.js'
import {minorOf, parseProcDrbd, type DrbdDevice} from './proc-drbd.js'

export interface NodeState {
  /** null: the DRBD module is not loaded or the device is not in /proc/drbd. */
  drbd: DrbdDevice | null
  vipHeld: boolean
  /** The drill filesystem is mounted at its mount point (from any device). */
  mounted: boolean
  /** Running nfsd threads (0: the NFS server is stopped). */
  nfsdThreads: number
  /** The stack's HA daemon unit is active (systemd); null in fast polls, which do not ask (full probes only). */
  haActive: boolean | null
  /** Kernel log lines about a DRBD split brain (full probes only; empty in fast polls). */
  splitBrainLog: string[]
}

export const isPrimary = (s: NodeState | undefined): boolean => s?.drbd?.role === 'Primary'
/** The node serves: VIP here, DRBD Primary, filesystem mounted, nfsd running. */
export const servesAll = (s: NodeState | undefined): boolean => Boolean(s && s.vipHeld && isPrimary(s) && s.mounted && s.nfsdThreads > 0)

/** One line a person can read: what a node had when last asked ("VIP, DRBD Primary cs:Connected, mounted, nfsd 8 threads, HA daemon active"). */
export function describeNodeState(s: NodeState | undefined): string {
  if (!s) return 'no answer'
  const drbd = s.drbd ? `DRBD ${s.drbd.role} cs:${s.drbd.cs} ds:${s.drbd.disk}/${s.drbd.peerDisk}` : 'DRBD down'
  return [s.vipHeld ? 'VIP' : 'no VIP', drbd, s.mounted ? 'mounted' : 'not mounted', s.nfsdThreads > 0 ? `nfsd ${s.nfsdThreads} threads` : 'no nfsd', ...(s.haActive === null ? [] : [s.haActive ? 'HA daemon active' : 'HA daemon inactive'])].join(', ')
}

export function drbdFact(device: string): Fact<DrbdDevice | null> {
  const minor = minorOf(device)
  return {
    command: 'cat /proc/drbd',
    parse: (stdout, code) => (code === 0 ? (parseProcDrbd(stdout).get(minor) ?? null) : null),
  }
}

/** `ip -j -4 addr show dev IF`: is the VIP one of the interface's addresses? A missing interface holds nothing. */
export function vipFact(vip: {address: string; interface: string}): Fact<boolean> {
  return {
    command: `ip -j -4 addr show dev ${shq(vip.interface)}`,
    parse: (stdout, code) => (code === 0 ? parseIpJsonAddresses(stdout).includes(vip.address) : false),
  }
}

/** IPv4 addresses in `ip -j -4 addr show` output (all interfaces listed). */
export function parseIpJsonAddresses(stdout: string): string[] {
  const text = stdout.trim()
  if (!text) return []
  const links = JSON.parse(text) as Array<{addr_info?: Array<{family?: string; local?: string}>}>
  return links.flatMap((l) => (l.addr_info ?? []).filter((a) => a.family === 'inet' && a.local).map((a) => a.local as string))
}

export function mountedFact(mountPoint: string): Fact<boolean> {
  return {
    // /proc/mounts escapes spaces as \040; mount points in the cluster file have none worth handling.
    command: `awk -v mp=${shq(mountPoint)} '$2 == mp {print $1, $2, $3}' /proc/mounts`,
    parse: (stdout) => stdout.trim().length > 0,
  }
}

export const nfsdFact: Fact<number> = {
  // The nfsd filesystem is not mounted until the server first starts: that also means no threads.
  command: 'cat /proc/fs/nfsd/threads 2>/dev/null || echo 0',
  parse: (stdout) => Number.parseInt(stdout.trim(), 10) || 0,
}

export function unitActiveFact(unit: string): Fact<boolean> {
  return {command: `systemctl is-active ${shq(unit)}`, parse: (stdout) => stdout.trim() === 'active'}
}

/** DRBD 8.4 kernel messages about split brain ("Split-Brain detected but unresolved, dropping connection!"). */
export const splitBrainLogFact: Fact<string[]> = {
  command: "dmesg 2>/dev/null | grep -E 'Split-Brain detected' | tail -n 3",
  parse: (stdout) => stdout.split('\n').map((l) => l.trim()).filter(Boolean),
}

export interface ProbeOptions {
  /** Also read the kernel log for split-brain messages (health checks and the end of a drill, not fast polls). */
  full?: boolean
}

/** The probe for one node; `haUnit` is the stack's HA daemon unit. */
export function nodeProbe(config: ClusterConfig, haUnit: string, opts: ProbeOptions = {}): FactSet<NodeState> {
  const mountPoint = config.filesystem?.mountPoint ?? '/nonexistent'
  const base = {
    drbd: drbdFact(config.drbd.device),
    vipHeld: vipFact(config.vip),
    mounted: mountedFact(mountPoint),
    nfsdThreads: nfsdFact,
  }
  if (opts.full) return factSet({...base, haActive: unitActiveFact(haUnit), splitBrainLog: splitBrainLogFact})
  // Fast polls leave out systemctl (the costliest command here, a D-Bus round trip): on a slow
  // node (an emulated lab guest) four probes a second must not become the node's main load.
  const fast = factSet(base)
  return {script: fast.script, parse: (stdout) => ({...fast.parse(stdout), haActive: null, splitBrainLog: []})}
}
