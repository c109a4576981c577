/** What "serving" means for a stack, in the cluster-state model's terms (status reads and judges nodes with it). */
import type {ServingShape} from '../cluster-state/node-state.js'
import type {StackDescriptor} from './types.js'

export function servingShape(stack: StackDescriptor): ServingShape {
  return {haUnit: stack.manager.haUnit, vip: stack.floatsVip, ...(stack.service.servesNfs ? {service: 'nfs' as const} : {})}
}
