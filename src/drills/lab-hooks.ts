/**
 * The built-in lab's fault hooks for drills, when the cluster file is the lab's (`lab.dir`):
 * power off = SIGKILL of the guest's qemu, power on = boot and wait for SSH, isolation = the
 * lab's node-to-node split on its bridge (clients still reach both guests).
 */
import type {ClusterConfig} from '../config/schema.js'
import {heal, powerOff, powerOn, splitBrain} from '../lab/faults.js'
import {labPaths} from '../lab/paths.js'
import type {LabFaultHooks} from './faults.js'

export function labHooks(config: ClusterConfig): LabFaultHooks | undefined {
  if (!config.lab?.dir) return undefined
  const paths = labPaths({...process.env, HAPAIR_LAB_DIR: config.lab.dir})
  return {
    powerOff: (node) => powerOff(node, paths),
    powerOn: async (node) => {
      await powerOn(node, {}, paths)
    },
    cutPeerLink: () => splitBrain(),
    healPeerLink: () => heal(),
  }
}
