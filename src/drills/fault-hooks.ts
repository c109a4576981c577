/**
 * How an environment that can do more than real hosts (the built-in lab: power a guest off and
 * on, split its bridge) gives the drills its fault hooks without the product importing it: it
 * registers an oclif hook for FAULT_HOOKS_EVENT in package.json's `oclif.hooks`, and
 * `hapair failover-test` asks through `config.runHook`. A hook answers hooks for a cluster it
 * owns and undefined for any other; with none registered, or none claiming the cluster, drills
 * use the real-host faults (sysrq crash, firewall isolation).
 */
import type {Config} from '@oclif/core'
import type {ClusterConfig} from '../config/schema.js'
import type {LabFaultHooks} from './faults.js'

export const FAULT_HOOKS_EVENT = 'fault-hooks'

/** What a registered hook is called with (oclif adds its own `config` and `context`). */
export interface FaultHooksOptions {
  cluster: ClusterConfig
}

/** The shape of a registered hook's default export. */
export type FaultHooksHook = (options: FaultHooksOptions) => Promise<LabFaultHooks | undefined>

/** The drills' view of the seam: the hooks for this cluster, if an environment claims it. */
export type FaultHooksLookup = (cluster: ClusterConfig) => Promise<LabFaultHooks | undefined>

export function faultHooksFrom(config: Pick<Config, 'runHook'>): FaultHooksLookup {
  return async (cluster) => {
    const {successes, failures} = await config.runHook(FAULT_HOOKS_EVENT, {cluster} satisfies FaultHooksOptions)
    // oclif keeps an ordinary hook error in `failures` instead of throwing it. A lab hook that
    // failed to load must not quietly turn a lab drill into a real-host one (sysrq, firewall rules).
    if (failures.length > 0) throw failures[0].error
    return successes.map((s) => s.result as LabFaultHooks | undefined).find((h) => h !== undefined)
  }
}
