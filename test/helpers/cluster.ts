/**
 * A complete, valid cluster for unit tests: the lab's two nodes with a DRBD disk, an NFS export
 * and keepalived. Overrides are merged one level deep per top-level key, then the whole thing goes
 * through the real schema, so defaults and validation are the ones users get.
 */
import {clusterSchema, type ClusterConfig, type Secrets} from '../../src/config/schema.js'
import type {StepClock} from '../../src/engine/clock.js'
import type {RunOptions, StepContext} from '../../src/engine/step.js'

export type ClusterOverrides = {[K in keyof ClusterConfig]?: unknown}

export const TEST_SECRETS: Secrets = {
  drbdSharedSecret: 'tEsTsEcReT-0123456789abcdefABCDEF',
  keepalivedAuthPass: 'k8pass01',
  corosyncAuthkey: Buffer.alloc(256, 7).toString('base64'),
  heartbeatAuthkey: '0123456789abcdef0123456789abcdef01234567',
}

export function testCluster(overrides: ClusterOverrides = {}): {config: ClusterConfig; secrets: Secrets} {
  const base: Record<string, unknown> = {
    name: 'lab',
    stack: 'keepalived',
    nodes: [
      {name: 'node1', address: '192.168.77.11'},
      {name: 'node2', address: '192.168.77.12'},
    ],
    vip: {address: '192.168.77.100', prefix: 24, interface: 'eth0'},
    storage: {disk: '/dev/vdb', partition: {number: 1, size: 'rest'}},
    drbd: {resource: 'r0', device: '/dev/drbd0', port: 7788, protocol: 'C', syncRate: '100M'},
    filesystem: {type: 'ext4', mountPoint: '/data'},
    nfs: {exports: [{path: '/data', clients: '192.168.77.0/24'}]},
    keepalived: {virtualRouterId: 51},
  }
  const merged: Record<string, unknown> = {...base}
  for (const [key, value] of Object.entries(overrides)) {
    const old = base[key]
    merged[key] =
      value && typeof value === 'object' && !Array.isArray(value) && old && typeof old === 'object' && !Array.isArray(old)
        ? {...(old as object), ...(value as object)}
        : value
    if (value === undefined) delete merged[key]
  }
  return {config: clusterSchema.parse(merged), secrets: {...TEST_SECRETS}}
}

export const DEFAULT_OPTIONS: RunOptions = {dryRun: false, wipe: false, yes: false, interactive: false, noWait: false}

/** A StepContext over testCluster; `options` and `params` override the defaults. */
export function testContext(
  overrides: ClusterOverrides = {},
  extra: {options?: Partial<RunOptions>; params?: Record<string, unknown>; clock?: StepClock} = {},
): StepContext {
  const {config, secrets} = testCluster(overrides)
  return {config, secrets, options: {...DEFAULT_OPTIONS, ...extra.options}, params: extra.params ?? {}, nodes: config.nodes, ...(extra.clock && {clock: extra.clock})}
}
