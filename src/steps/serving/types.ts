/**
 * What "serving" means for a served service, as the HA manager's service step needs it: the
 * facts to read, shell conditions its start scripts wait on, and the verification of the node
 * holding the VIP and of the others. One per service (steps/nfs/serving.ts for NFS); the stack
 * descriptor says which, so a manager's service step stays the same for every service.
 */
import type {NodeConfig} from '../../config/schema.js'
import type {StepContext} from '../../engine/step.js'
import type {Fact} from '../../facts/fact.js'
import type {PackageFamily} from '../../distro/family.js'

export interface ServingCheck<F = unknown> {
  /** "NFS", for titles: "take over 192.168.1.200 + NFS". */
  what: string
  /** Units the check reads (their state comes with the manager step's own services fact). */
  units: string[]
  fact(ctx: StepContext): Fact<F>
  /** Shell condition: this node serves completely (the takeover has finished). */
  servingCondition(ctx: StepContext, family: PackageFamily): string
  /** Shell condition: any part of the service runs here (a settled standby runs none). */
  runningCondition(ctx: StepContext, family: PackageFamily): string
  /** Problems of one node, given whether it is the one VIP holder. */
  verify(ctx: StepContext, node: NodeConfig, facts: ServingFacts<F>, soleHolder: boolean, holdsVip: boolean): string[]
}

/** What verify gets: the check's own fact plus the family and unit states the manager step read. */
export interface ServingFacts<F> {
  family: PackageFamily | 'unknown'
  active(unit: string): boolean
  own: F
}
