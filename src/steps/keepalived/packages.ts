/** keepalived itself (the same package name on every family): the manager descriptor's list. */
import {keepalivedManager} from '../../stacks/managers/keepalived.js'
import {packagesStep} from '../common/packages.js'

export const keepalivedPackagesStep = packagesStep('keepalived.packages', 'keepalived installed', () => keepalivedManager.packages)
