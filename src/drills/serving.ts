/**
 * What "serving" means to a drill, and where its writer writes. The stack's own serving shape
 * (stacks/serving-shape.ts) decides which node serves: for an NFS stack the one holding the VIP,
 * DRBD Primary, the filesystem mounted and nfsd running; for a DRBD filesystem alone (seed 003)
 * the one that is Primary with the filesystem mounted. The service's `drillWriter` decides how the
 * records get there: through the VIP's NFS export, or on the node holding the mount over SSH.
 */
import {serves, type NodeState, type ServingShape} from '../cluster-state/node-state.js'
import {servingShape} from '../stacks/serving-shape.js'
import type {StackDescriptor} from '../stacks/types.js'

/** An NFS stack's shape, for timeline callers that give none (the drills' first stacks all served NFS). */
export const DRILL_SERVING = {vip: true, service: 'nfs'} as const satisfies Omit<ServingShape, 'haUnit'>

export type ServingTest = Pick<ServingShape, 'vip' | 'service'>

/** The node serves the drill's writer, in the terms of `shape`. */
export const servesAll = (s: NodeState | undefined, shape: ServingTest = DRILL_SERVING): boolean => serves(s, shape)

/** The shape the cluster-state model reads and judges a drill's nodes with: the stack's own. */
export function drillShape(stack: StackDescriptor): ServingShape {
  return servingShape(stack)
}
