import type {Step} from '../../engine/step.js'
import {keepalivedConfigStep} from './config.js'
import {keepalivedPackagesStep} from './packages.js'
import {keepalivedScriptsStep} from './scripts.js'
import {keepalivedServiceStep} from './service.js'

/** Steps of this area, in no particular order (runbooks give the order). */
export const keepalivedSteps: Step[] = [keepalivedPackagesStep, keepalivedScriptsStep, keepalivedConfigStep, keepalivedServiceStep]
