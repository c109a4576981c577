/**
 * A DRBD filesystem mounted on the active node and nothing more (seed 003: heartbeat owning
 * drbddisk + Filesystem). Applications on the node use the mount; no network client is served.
 */
import type {ServedService} from '../types.js'
import {drbdChannel} from './nfs.js'

export const filesystemService: ServedService = {
  id: 'filesystem',
  title: 'a DRBD filesystem',
  units: ['drbd'],
  usesDrbd: true,
  servesNfs: false,
  // Nothing reaches it over the network: the drill writes where the mount is.
  drillWriter: 'on-node',
  sections: ['storage', 'filesystem'],
  unusedSections: ['nfs', 'lvs'],
  packages: [],
  peerChannels: (config) => [drbdChannel(config)],
  clientPorts: () => [],
}
