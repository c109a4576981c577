/** NFS server packages (Debian nfs-kernel-server, EL nfs-utils) and psmisc for the notify script's fuser. */
import {packagesStep} from '../common/packages.js'

export const nfsPackagesStep = packagesStep('nfs.packages', 'NFS server installed', () => ['nfs-server', 'psmisc'])
