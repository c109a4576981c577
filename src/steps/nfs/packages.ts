/** NFS server packages (Debian nfs-kernel-server, EL nfs-utils) and psmisc for the notify script's fuser: the NFS service descriptor's list. */
import {nfsService} from '../../stacks/services/nfs.js'
import {packagesStep} from '../common/packages.js'

export const nfsPackagesStep = packagesStep('nfs.packages', 'NFS server installed', () => nfsService.packages)
