/**
 * NFS served from the DRBD filesystem on the active node (seeds 000, 002, 004): the NFS state
 * directory moves with the data, the server runs only where the filesystem is mounted.
 */
import type {ClusterConfig} from '../../config/schema.js'
import type {ClientPort, PeerChannel, ServedService} from '../types.js'

/** The NFS server unit on Debian and RHEL families alike (nfs-kernel-server is an alias of it on Debian). */
export const NFS_UNIT = 'nfs-server'

/** The mountd port firewalld's `mountd` service opens; rpc.mountd uses it only when nfs.conf `[mountd] port=` pins it. */
export const MOUNTD_PORT = 20048

/** DRBD replication: the channel every DRBD-backed service needs between the nodes. */
export const drbdChannel = (config: ClusterConfig): PeerChannel => ({proto: 'tcp', port: config.drbd.port, what: `DRBD ${config.drbd.resource}`, via: 'replication', configPath: 'drbd.port', required: true})

export const nfsService: ServedService = {
  id: 'nfs',
  title: 'NFS on a DRBD filesystem',
  units: ['drbd', NFS_UNIT, 'rpcbind'],
  usesDrbd: true,
  servesNfs: true,
  drillWriter: 'nfs',
  sections: ['storage', 'filesystem', 'nfs'],
  unusedSections: ['lvs'],
  packages: ['nfs-server', 'psmisc'],
  peerChannels: (config) => [drbdChannel(config)],
  clientPorts(config): ClientPort[] {
    if (!config.nfs) return []
    const clients = config.nfs.exports.map((e) => e.clients)
    const spec = clients.length === 1 ? clients[0] : undefined
    return [
      {port: 2049, proto: 'tcp', service: 'NFS server', spec, required: true},
      {port: 111, proto: 'tcp', service: 'rpcbind', spec, required: false, note: 'NFSv3 clients only'},
      {port: 111, proto: 'udp', service: 'rpcbind', spec, required: false, note: 'NFSv3 clients only'},
      {
        port: MOUNTD_PORT,
        proto: 'tcp',
        service: 'mountd',
        spec,
        required: false,
        note: `NFSv3 clients only; mountd listens on ${MOUNTD_PORT} only when /etc/nfs.conf pins it ([mountd] port=${MOUNTD_PORT}), otherwise on a random port`,
      },
    ]
  },
}
