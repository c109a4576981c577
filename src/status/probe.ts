/**
 * What `hapair status` reads on each node, in one remote call: DRBD state with sync progress,
 * VIP, mount, NFS server threads, the HA daemon, and kernel split-brain messages.
 */
import type {ClusterConfig} from '../config/schema.js'
import {factSet, type FactSet} from '../facts/fact.js'
import {drbdStateFact, type DrbdFacts} from '../facts/drbd.js'
import {vipFact, type VipInfo} from '../facts/ip.js'
import {mountedFact, nfsdFact, splitBrainLogFact, unitActiveFact} from '../drills/node-probe.js'

export interface NodeStatusFacts {
  drbd: Omit<DrbdFacts, 'gi'>
  vip: VipInfo
  mounted: boolean
  nfsdThreads: number
  haActive: boolean
  splitBrainLog: string[]
}

export function statusProbe(config: ClusterConfig, haUnit: string): FactSet<NodeStatusFacts> {
  return factSet({
    drbd: drbdStateFact(config.drbd.resource, config.drbd.device),
    vip: vipFact(config.vip.interface, config.vip.address),
    mounted: mountedFact(config.filesystem?.mountPoint ?? '/nonexistent'),
    nfsdThreads: nfsdFact,
    haActive: unitActiveFact(haUnit),
    splitBrainLog: splitBrainLogFact,
  })
}
