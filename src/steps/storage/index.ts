import type {Step} from '../../engine/step.js'

/** Steps of this area, in no particular order (runbooks give the order). */
export const storageSteps: Step[] = []
