/**
 * What other code (status, drills, ha-install) needs to know about an HA stack, without knowing
 * its internals. One descriptor per stack: keepalived now; heartbeat, pacemaker and lvs later.
 */
import type {ClusterConfig, Stack} from '../config/schema.js'

export interface StackDescriptor {
  id: Stack
  title: string
  /** systemd unit of the HA manager on the cluster nodes: stopping it is the clean-failover drill. */
  haUnit: string
  /** Runbook that takes blank nodes to the running service (partition, DRBD, HA layer). */
  runbook: string
  /** Runbook of the HA layer alone, for `hapair ha-install` on nodes whose DRBD is ready. */
  haInstallRunbook: string
  /** Longest a healthy standby needs to notice that the active node died (crash, not a clean stop), in ms. */
  detectionBoundMs(config: ClusterConfig): number
  /** Longest from the service dying on the active node to the HA layer giving it up (0 if it does not watch the service), in ms. */
  serviceFailureBoundMs(config: ClusterConfig): number
  /** File on each node where the stack's scripts log transitions with timestamps, if any. */
  transitionLog?: string
}
