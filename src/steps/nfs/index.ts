import type {Step} from '../../engine/step.js'
import {nfsBootStep} from './boot.js'
import {nfsConfigStep} from './config.js'
import {nfsPackagesStep} from './packages.js'

/** Steps of this area, in no particular order (runbooks give the order). */
export const nfsSteps: Step[] = [nfsPackagesStep, nfsConfigStep, nfsBootStep]
