/** Every step by id. Each area exports its steps; runbooks name them in order. */
import type {Step} from '../engine/step.js'
import {UsageError} from '../errors.js'
import {commonSteps} from './common/index.js'
import {drbdSteps} from './drbd/index.js'
import {filesystemSteps} from './filesystem/index.js'
import {heartbeatSteps} from './heartbeat/index.js'
import {keepalivedSteps} from './keepalived/index.js'
import {lvsSteps} from './lvs/index.js'
import {nfsSteps} from './nfs/index.js'
import {pacemakerSteps} from './pacemaker/index.js'
import {storageSteps} from './storage/index.js'

const ALL: Step[] = [...commonSteps, ...storageSteps, ...drbdSteps, ...filesystemSteps, ...nfsSteps, ...keepalivedSteps, ...lvsSteps, ...heartbeatSteps, ...pacemakerSteps]

export const STEPS: ReadonlyMap<string, Step> = new Map(ALL.map((s) => [s.id, s]))

export function getStep(id: string): Step {
  const step = STEPS.get(id)
  if (!step) throw new UsageError(`unknown step "${id}"`, `known steps: ${[...STEPS.keys()].join(', ')}`)
  return step
}
