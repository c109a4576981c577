/** ipvsadm on the directors: the LVS service descriptor's list (to read and verify the IPVS table). */
import {lvsService} from '../../stacks/services/lvs.js'
import {packagesStep} from '../common/packages.js'

export const lvsPackagesStep = packagesStep('lvs.packages', 'ipvsadm installed on the directors', () => lvsService.packages)
