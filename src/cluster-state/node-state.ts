/**
 * One node's state, read in one remote call: DRBD (8.4 or 9), whether the VIP is here, whether
 * the filesystem is mounted, the service's threads; full reads also the HA daemon's unit and the
 * kernel's split-brain messages. `hapair status`, the drills (4 polls a second), heal and
 * split-brain recovery all read nodes through this.
 *
 * The model knows no stack names: what "serving" means for a stack (its HA unit, whether a VIP
 * floats, which service must run) comes in as a ServingShape that the stack's descriptor gives.
 */
import type {ClusterConfig} from '../config/schema.js'
import {factSet, type Fact, type FactSet} from '../facts/fact.js'
import {connectionText, drbdPollFact, type DrbdResourceState} from './drbd.js'
import {mountedFact, nfsdFact, splitBrainLogFact, unitActiveFact, vipHeldFact} from './node-facts.js'

/** What differs by stack, for reading and judging a node. */
export interface ServingShape {
  /** systemd unit of the HA manager (whose `is-active` full reads ask). */
  haUnit: string
  /** The service floats on the cluster file's VIP: the node holding it is the one that serves. */
  vip: boolean
  /** A service that must run where the filesystem is mounted: 'nfs' = kernel nfsd threads. */
  service?: 'nfs'
}

export interface NodeState {
  /** null: the DRBD module is not loaded or the resource is not up. */
  drbd: DrbdResourceState | null
  /** The VIP is on its interface here (false when the shape has no VIP). */
  vipHeld: boolean
  /** The cluster filesystem is mounted at its mount point (from any device). */
  mounted: boolean
  /** Running nfsd threads (0: the NFS server is stopped); null when the shape serves no NFS. */
  nfsdThreads: number | null
  /** The HA daemon unit is active (systemd); null in fast polls, which do not ask (full reads only). */
  haActive: boolean | null
  /** Kernel log lines about a DRBD split brain (full reads only; empty in fast polls). */
  splitBrainLog: string[]
}

export interface ProbeOptions {
  /** Also ask systemd about the HA daemon and the kernel log about split brain (health checks, status, the end of a drill; not fast polls). */
  full?: boolean
}

/** The read for one node. */
export function nodeProbe(config: ClusterConfig, shape: ServingShape, opts: ProbeOptions = {}): FactSet<NodeState> {
  const facts: Record<string, Fact<unknown>> = {
    drbd: drbdPollFact(config.drbd.resource, config.drbd.device),
    mounted: mountedFact(config.filesystem?.mountPoint ?? '/nonexistent'),
  }
  if (shape.vip) facts.vipHeld = vipHeldFact(config.vip)
  if (shape.service === 'nfs') facts.nfsdThreads = nfsdFact
  // Fast polls leave out systemctl (the costliest command here, a D-Bus round trip) and dmesg: on
  // a slow node (an emulated lab guest) four probes a second must not become the node's main load.
  if (opts.full) Object.assign(facts, {haActive: unitActiveFact(shape.haUnit), splitBrainLog: splitBrainLogFact})
  const set = factSet(facts)
  return {
    script: set.script,
    parse(stdout) {
      const f = set.parse(stdout) as Partial<NodeState>
      return {
        drbd: f.drbd ?? null,
        vipHeld: f.vipHeld ?? false,
        mounted: f.mounted ?? false,
        nfsdThreads: f.nfsdThreads ?? null,
        haActive: f.haActive ?? null,
        splitBrainLog: f.splitBrainLog ?? [],
      }
    },
  }
}

export const isPrimary = (s: NodeState | undefined): boolean => s?.drbd?.role === 'Primary'

/** The node serves: DRBD Primary with the filesystem mounted, the VIP here (when the shape has one), its service running. */
export function serves(s: NodeState | undefined, shape: Pick<ServingShape, 'vip' | 'service'>): boolean {
  if (!s || !isPrimary(s) || !s.mounted) return false
  if (shape.vip && !s.vipHeld) return false
  return shape.service !== 'nfs' || (s.nfsdThreads ?? 0) > 0
}

/** One line a person can read: what a node had when last asked ("VIP, DRBD Primary cs:Connected ds:UpToDate/UpToDate, mounted, nfsd 8 threads, HA daemon active"). */
export function describeNodeState(s: NodeState | undefined): string {
  if (!s) return 'no answer'
  const drbd = s.drbd ? `DRBD ${s.drbd.role} cs:${connectionText(s.drbd)} ds:${s.drbd.disk}/${s.drbd.peerDisk}` : 'DRBD down'
  return [
    s.vipHeld ? 'VIP' : 'no VIP',
    drbd,
    s.mounted ? 'mounted' : 'not mounted',
    ...(s.nfsdThreads === null ? [] : [s.nfsdThreads > 0 ? `nfsd ${s.nfsdThreads} threads` : 'no nfsd']),
    ...(s.haActive === null ? [] : [s.haActive ? 'HA daemon active' : 'HA daemon inactive']),
  ].join(', ')
}
