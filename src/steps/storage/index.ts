import type {Step} from '../../engine/step.js'
import {storagePackages} from './packages.js'
import {partitionStep} from './partition.js'

/** Steps of this area, in no particular order (runbooks give the order). */
export const storageSteps: Step[] = [storagePackages, partitionStep]
