/**
 * What `hapair status` reads on each node, in one remote call: the cluster-state model's full
 * read (DRBD 8.4 or 9 with sync progress, VIP, mount, the service, the HA daemon, kernel
 * split-brain messages).
 */
import type {ClusterConfig} from '../config/schema.js'
import type {FactSet} from '../facts/fact.js'
import {nodeProbe, type NodeState, type ServingShape} from '../cluster-state/node-state.js'

export type NodeStatusFacts = NodeState

export function statusProbe(config: ClusterConfig, shape: ServingShape): FactSet<NodeStatusFacts> {
  return nodeProbe(config, shape, {full: true})
}
