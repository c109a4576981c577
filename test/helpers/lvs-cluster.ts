/** The LVS pool of unit tests: the lab's two nodes as directors, two real servers (web1, web2) on the VIP's network. */
import {testContext, type ClusterOverrides} from './cluster.js'
import type {RunOptions, StepContext} from '../../src/engine/step.js'

export const LVS_OVERRIDES: ClusterOverrides = {
  service: 'lvs',
  storage: undefined,
  filesystem: undefined,
  nfs: undefined,
  lvs: {
    port: 80,
    realServers: [
      {name: 'web1', address: '192.168.77.21', weight: 2},
      {name: 'web2', address: '192.168.77.22'},
    ],
    healthCheck: {path: '/health'},
  },
}

/** A StepContext over the LVS test cluster; `lvs` keys override the pool's (one level deep). */
export function lvsContext(lvs: Record<string, unknown> = {}, extra: {options?: Partial<RunOptions>; params?: Record<string, unknown>} = {}): StepContext {
  return testContext({...LVS_OVERRIDES, lvs: {...(LVS_OVERRIDES.lvs as object), ...lvs}}, extra)
}

/** The same pool as cluster-file YAML, for commands that load a file. */
export const LVS_CLUSTER_YAML = `name: web-ha
stack: keepalived
service: lvs
nodes:
  - { name: node1, address: 192.168.77.11 }
  - { name: node2, address: 192.168.77.12 }
vip: { address: 192.168.77.100, prefix: 24, interface: eth0 }
keepalived: { virtualRouterId: 51 }
lvs:
  port: 80
  realServers:
    - { name: web1, address: 192.168.77.21, weight: 2 }
    - { name: web2, address: 192.168.77.22 }
  healthCheck: { path: /health }
`
