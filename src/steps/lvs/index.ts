import type {Step} from '../../engine/step.js'
import {lvsArpStep} from './arp.js'
import {lvsBackendStep} from './backend.js'
import {lvsLoopbackStep} from './loopback.js'
import {lvsModuleStep} from './module.js'
import {lvsNotifyStep} from './notify.js'
import {lvsPackagesStep} from './packages.js'

/** Steps of this area, in no particular order (runbooks give the order). */
export const lvsSteps: Step[] = [lvsPackagesStep, lvsModuleStep, lvsArpStep, lvsLoopbackStep, lvsBackendStep, lvsNotifyStep]
