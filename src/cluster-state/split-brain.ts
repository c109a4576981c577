/**
 * DRBD split brain, detected: both nodes wrote while they could not see each other, so on
 * reconnect DRBD refuses (StandAlone, "Split-Brain detected but unresolved") until a person
 * chooses whose changes survive. Pure, from each node's DRBD state and kernel log; `hapair status`,
 * the drills and heal judge with it, and `hapair split-brain recover` (src/drills/) plans from it.
 */
import type {ClusterConfig} from '../config/schema.js'
import {factSet, type FactSet} from '../facts/fact.js'
import {describeDrbd, drbdPollFact, isDisconnected, type DrbdResourceState} from './drbd.js'
import {splitBrainLogFact} from './node-facts.js'
import type {NodeState} from './node-state.js'

export interface SplitBrainFinding {
  state: 'none' | 'suspected' | 'confirmed'
  nodes: string[]
  explanation: string
  fix: string
}

export interface SplitBrainFacts {
  drbd: DrbdResourceState | null
  /** Kernel log lines mentioning "Split-Brain detected". */
  kernelLog: string[]
}

/** One remote call per node: the DRBD state and the kernel's split-brain messages. */
export function splitBrainFactSet(config: ClusterConfig): FactSet<SplitBrainFacts> {
  return factSet({drbd: drbdPollFact(config.drbd.resource, config.drbd.device), kernelLog: splitBrainLogFact})
}

const UNRESOLVED = /Split-Brain detected but unresolved/

/** Is there a split brain now? `undefined` facts: the node did not answer. */
export function detectSplitBrain(facts: Record<string, SplitBrainFacts | undefined>, resource = 'r0'): SplitBrainFinding {
  const nodes = Object.keys(facts)
  const answering = nodes.filter((n) => facts[n]?.drbd)
  const drbd = (n: string) => facts[n]!.drbd!
  const standalone = answering.filter((n) => drbd(n).connection === 'StandAlone')
  const logged = standalone.filter((n) => facts[n]!.kernelLog.some((l) => UNRESOLVED.test(l)))
  const fix = `choose the node whose data to keep, then: hapair split-brain recover --keep NODE`
  const states = answering.map((n) => `${n}: ${describeDrbd(drbd(n))}`).join('; ')
  const allDisconnected = answering.every((n) => isDisconnected(drbd(n)))

  if (logged.length > 0) {
    return {
      state: 'confirmed',
      nodes: answering,
      explanation: `DRBD ${resource}: the kernel on ${logged.join(' and ')} reported "Split-Brain detected but unresolved" — both nodes wrote while disconnected, and DRBD refuses to reconnect until one side's changes are discarded (${states})`,
      fix,
    }
  }
  if (standalone.length === 2 || (standalone.length === 1 && answering.length === 2 && allDisconnected)) {
    return {
      state: 'suspected',
      nodes: answering,
      explanation: `DRBD ${resource}: ${standalone.join(' and ')} ${standalone.length === 2 ? 'are' : 'is'} StandAlone (refusing to connect) with no split-brain message in the kernel log (rotated, or someone ran \`drbdadm disconnect\`) (${states})`,
      fix: `try \`drbdadm connect ${resource}\` on the StandAlone node(s); if the kernel then logs "Split-Brain detected", ${fix}`,
    }
  }
  const primaries = answering.filter((n) => drbd(n).role === 'Primary')
  if (primaries.length === 2 && allDisconnected) {
    return {
      state: 'suspected',
      nodes: answering,
      explanation: `DRBD ${resource}: both nodes are Primary while disconnected: their data is diverging now and will be a split brain when they reconnect (${states})`,
      fix: `stop the service on one node at once (its HA daemon), then ${fix}`,
    }
  }
  return {state: 'none', nodes: answering, explanation: `DRBD ${resource}: no split brain (${states || 'no node answered'})`, fix: ''}
}

/** The split-brain finding for the nodes' read states (a node that did not answer counts as such). */
export function splitBrainIn(config: ClusterConfig, states: Record<string, NodeState | undefined>): SplitBrainFinding {
  const facts = (s: NodeState | undefined) => (s ? {drbd: s.drbd, kernelLog: s.splitBrainLog} : undefined)
  return detectSplitBrain(Object.fromEntries(config.nodes.map((n) => [n.name, facts(states[n.name])])), config.drbd.resource)
}
