import type {Step} from '../../engine/step.js'

export const commonSteps: Step[] = []
