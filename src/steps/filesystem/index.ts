import type {Step} from '../../engine/step.js'
import {filesystemMkfs} from './mkfs.js'
import {filesystemMount} from './mount.js'

/** Steps of this area, in no particular order (runbooks give the order). */
export const filesystemSteps: Step[] = [filesystemMkfs, filesystemMount]
