/** sfdisk, partx, wipefs (util-linux / fdisk) and parted's partprobe on both nodes. */
import {packagesStep} from '../common/packages.js'

export const storagePackages = packagesStep('storage.packages', 'Partitioning tools', () => ['partitioning'])
