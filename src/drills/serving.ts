/**
 * What "serving" means to a drill: its client writes records over NFS through the VIP, so the
 * node that serves holds the VIP, is DRBD Primary with the filesystem mounted and runs nfsd
 * (every scenario applies only to stacks that serve NFS: `appliesTo: stack.service.servesNfs`).
 */
import {serves, type NodeState, type ServingShape} from '../cluster-state/node-state.js'
import type {StackDescriptor} from '../stacks/types.js'

export const DRILL_SERVING = {vip: true, service: 'nfs'} as const satisfies Omit<ServingShape, 'haUnit'>

/** The node serves the drill's client: VIP here, DRBD Primary, filesystem mounted, nfsd running. */
export const servesAll = (s: NodeState | undefined): boolean => serves(s, DRILL_SERVING)

/** The shape the cluster-state model reads and judges a drill's nodes with. */
export function drillShape(stack: StackDescriptor): ServingShape {
  return {haUnit: stack.manager.haUnit, ...DRILL_SERVING}
}
