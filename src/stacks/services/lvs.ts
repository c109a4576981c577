/**
 * An LVS director pool (seed 001): the active director holds the VIP and IPVS spreads
 * connections to real servers in direct-routing mode. No DRBD, nothing replicated.
 */
import type {ServedService} from '../types.js'
import {lvsRules} from './lvs-rules.js'

/** The kernel's IPVS sync daemon: UDP port and multicast group (ipvsadm(8), keepalived's defaults). */
export const LVS_SYNC_PORT = 8848
export const LVS_SYNC_GROUP = '224.0.0.81'

export const lvsService: ServedService = {
  id: 'lvs',
  title: 'an LVS director pool',
  units: [],
  usesDrbd: false,
  servesNfs: false,
  sections: ['lvs'],
  // Nothing is replicated or exported: a DRBD disk, filesystem or NFS export here is a mistake.
  unusedSections: ['storage', 'filesystem', 'nfs'],
  packages: ['ipvsadm'],
  // The backup director must hear the master's connection table, or established connections break on failover.
  peerChannels: (config) =>
    config.lvs?.syncDaemon
      ? [{proto: 'udp', port: LVS_SYNC_PORT, what: 'IPVS connection sync (lvs_sync_daemon)', via: 'address', required: true, note: `multicast to ${LVS_SYNC_GROUP}`}]
      : [],
  clientPorts: (config) =>
    config.lvs
      ? [{port: config.lvs.port, proto: config.lvs.protocol === 'UDP' ? 'udp' : 'tcp', service: 'LVS virtual service', required: true, note: 'clients reach the virtual service on the VIP held by the director'}]
      : [],
  rules: lvsRules,
}
