/** The pacemaker stacks' steps, in runbook order. */
import type {Step} from '../../engine/step.js'
import {pacemakerCibStep} from './cib.js'
import {corosyncConfigStep} from './corosync.js'
import {pacemakerKeysStep} from './keys.js'
import {pacemakerPackagesStep} from './packages.js'
import {pacemakerServiceStep} from './service.js'

export const pacemakerSteps: Step[] = [pacemakerPackagesStep, pacemakerKeysStep, corosyncConfigStep, pacemakerServiceStep, pacemakerCibStep]
