/** keepalived itself (the same package name on every family). */
import {packagesStep} from '../common/packages.js'

export const keepalivedPackagesStep = packagesStep('keepalived.packages', 'keepalived installed', () => ['keepalived'])
