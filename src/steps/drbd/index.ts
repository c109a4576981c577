import type {Step} from '../../engine/step.js'
import {drbdConfig} from './config.js'
import {drbdConnect} from './connect.js'
import {drbdMetadata} from './metadata.js'
import {drbdPackages} from './packages.js'
import {drbdPrimary} from './primary.js'
import {drbdSync} from './sync.js'
import {drbdUp} from './up.js'

/** Steps of this area, in no particular order (runbooks give the order). */
export const drbdSteps: Step[] = [drbdPackages, drbdConfig, drbdMetadata, drbdUp, drbdConnect, drbdPrimary, drbdSync]
