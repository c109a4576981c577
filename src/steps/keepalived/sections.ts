/** The cluster-file section the keepalived steps need, with a usage error naming what is missing. */
import type {ClusterConfig} from '../../config/schema.js'
import {UsageError} from '../../errors.js'
import type {StepContext} from '../../engine/step.js'

export type KeepalivedSection = NonNullable<ClusterConfig['keepalived']>

export function requireKeepalived(ctx: StepContext): KeepalivedSection {
  if (!ctx.config.keepalived) {
    throw new UsageError('the cluster file has no `keepalived` section', 'add keepalived.virtualRouterId (1-255, unique on the network) to hapair.yaml')
  }
  return ctx.config.keepalived
}
