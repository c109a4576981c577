/**
 * The lab's fault hooks for drills, registered with hapair as the oclif hook `fault-hooks`
 * (package.json's `oclif.hooks`; the seam is src/drills/fault-hooks.ts). They claim a cluster
 * file that is the lab's (`lab.dir`): power off = SIGKILL of the guest's qemu, power on = boot
 * and wait for SSH, isolation = the lab's node-to-node split on its bridge (clients still reach
 * both guests).
 */
import type {ClusterConfig} from '../config/schema.js'
import type {FaultHooksHook} from '../drills/fault-hooks.js'
import type {LabFaultHooks} from '../drills/faults.js'
import {heal, powerOff, powerOn, splitBrain} from './faults.js'
import {labPaths} from './paths.js'

export function labFaultHooks(cluster: ClusterConfig): LabFaultHooks | undefined {
  if (!cluster.lab?.dir) return undefined
  const paths = labPaths({...process.env, HAPAIR_LAB_DIR: cluster.lab.dir})
  return {
    powerOff: (node) => powerOff(node, paths),
    powerOn: async (node) => {
      await powerOn(node, {}, paths)
    },
    cutPeerLink: () => splitBrain(),
    healPeerLink: () => heal(),
  }
}

const hook: FaultHooksHook = async ({cluster}) => labFaultHooks(cluster)
export default hook
