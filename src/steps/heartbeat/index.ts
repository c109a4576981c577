import type {Step} from '../../engine/step.js'
import {heartbeatConfigStep} from './config.js'
import {heartbeatNfsStep} from './nfs.js'
import {heartbeatPackagesStep} from './packages.js'
import {heartbeatResourcesStep} from './resources.js'
import {heartbeatServiceStep} from './service.js'

/** Steps of this area, in no particular order (runbooks give the order). */
export const heartbeatSteps: Step[] = [heartbeatPackagesStep, heartbeatResourcesStep, heartbeatNfsStep, heartbeatConfigStep, heartbeatServiceStep]
