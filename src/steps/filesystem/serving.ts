/**
 * Serving a DRBD filesystem alone (seed 003), as the HA manager's service step checks it: the
 * active node has the DRBD device mounted on the mount point, every other node has it nowhere.
 * Applications on the active node use the mount; no network client is served.
 */
import {shq, type Fact} from '../../facts/fact.js'
import type {ServingCheck} from '../serving/types.js'
import {requireFilesystem} from '../storage/require.js'

/** What is mounted on the mount point (its source), or null. */
export function mountedSourceFact(mountPoint: string): Fact<{mountedSource: string | null}> {
  return {
    command: `findmnt -rn -o SOURCE --mountpoint ${shq(mountPoint)} 2>/dev/null | head -n1`,
    parse: (stdout) => ({mountedSource: stdout.trim() || null}),
  }
}

export const filesystemServing: ServingCheck<{mountedSource: string | null}> = {
  what: 'the filesystem',
  units: [],
  fact: (ctx) => mountedSourceFact(requireFilesystem(ctx.config).mountPoint),
  servingCondition: (ctx) => `findmnt -rn -o SOURCE --mountpoint ${shq(requireFilesystem(ctx.config).mountPoint)} | grep -xF ${shq(ctx.config.drbd.device)} >/dev/null`,
  runningCondition: (ctx) => `mountpoint -q ${shq(requireFilesystem(ctx.config).mountPoint)}`,
  verify(ctx, node, f, soleHolder, holds) {
    const {device} = ctx.config.drbd
    const mp = requireFilesystem(ctx.config).mountPoint
    const problems: string[] = []
    if (soleHolder && f.own.mountedSource !== device) problems.push(`${node.name} holds the resources but ${device} is not mounted on ${mp}`)
    if (!holds && f.own.mountedSource === device) problems.push(`${node.name} does not hold the resources but has ${device} mounted on ${mp}`)
    return problems
  },
}
