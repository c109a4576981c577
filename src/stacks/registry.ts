/**
 * Every stack hapair knows, as manager x service, and the one function that maps a cluster
 * file's `stack` / `service` to its descriptor. Adding a stack: a manager or service file (if
 * new), an entry here, its steps folder, templates and runbooks; nothing else.
 */
import type {ClusterConfig, Manager, Service, Stack} from '../config/schema.js'
import {UsageError} from '../errors.js'
import {nfsKeepalivedParts, renderKeepalivedDropIn} from '../templates/keepalived-nfs.js'
import {lvsKeepalivedParts} from '../templates/keepalived-lvs.js'
import {lvsServing} from '../steps/lvs/serving.js'
import {HA_LOG_PATH} from '../templates/scripts/paths.js'
import {nfsServing} from '../steps/nfs/serving.js'
import {filesystemServing} from '../steps/filesystem/serving.js'
import {drbdResources, vipResource} from '../templates/heartbeat.js'
import {NFS_MONITOR_BOUND_MS, NFS_RESOURCE} from '../templates/scripts/heartbeat-nfs.js'
import {heartbeatManager} from './managers/heartbeat.js'
import {keepalivedManager} from './managers/keepalived.js'
import {pacemakerManager} from './managers/pacemaker.js'
import {filesystemService} from './services/filesystem.js'
import {lvsService} from './services/lvs.js'
import {nfsService} from './services/nfs.js'
import {NFS_CHECK_BOUND_MS} from './nfs-keepalived.js'
import {renderBareAcquire, renderBareRelease} from '../templates/scripts/bare-handover.js'
import type {HaManager, ServedService, StackDescriptor} from './types.js'

export const MANAGER_DESCRIPTORS: Record<Manager, HaManager> = {keepalived: keepalivedManager, heartbeat: heartbeatManager, pacemaker: pacemakerManager}

function stack(manager: HaManager, service: ServedService, extra: Pick<StackDescriptor, 'title' | 'ready' | 'seed'> & Partial<StackDescriptor>): StackDescriptor {
  const id = `${service.id === 'filesystem' ? 'drbd' : service.id}-${manager.id}`
  return {
    id,
    manager,
    service,
    runbook: id,
    haInstallRunbook: `ha-${manager.id}${service.id === 'nfs' ? '' : `-${service.id}`}`,
    serviceFailureBoundMs: () => 0,
    floatsVip: true,
    peerChannels: (config) => [...service.peerChannels(config), ...manager.peerChannels(config)],
    ...extra,
  }
}

export const STACK_DESCRIPTORS: readonly StackDescriptor[] = [
  stack(keepalivedManager, nfsService, {
    title: 'DRBD + NFS + keepalived (VRRP)',
    ready: true,
    seed: '000',
    transitionLog: HA_LOG_PATH,
    serviceFailureBoundMs: () => NFS_CHECK_BOUND_MS,
    keepalived: {parts: nfsKeepalivedParts, dropIn: renderKeepalivedDropIn, serving: nfsServing},
    bareHandover: {release: renderBareRelease, acquire: renderBareAcquire},
  }),
  stack(keepalivedManager, filesystemService, {title: 'DRBD + keepalived (a filesystem on the VIP holder, no NFS)', ready: false, seed: '000'}),
  // Seed 001: steps and runbook built and unit-tested; ready once the lab has proven them (docs/lvs.md).
  stack(keepalivedManager, lvsService, {
    title: 'keepalived + LVS-DR directors',
    ready: false,
    seed: '001',
    // No DRBD underneath: the HA layer is the whole runbook.
    haInstallRunbook: 'lvs-keepalived',
    transitionLog: HA_LOG_PATH,
    keepalived: {parts: lvsKeepalivedParts, serving: lvsServing},
  }),
  stack(pacemakerManager, filesystemService, {title: 'DRBD + corosync/pacemaker', ready: false, seed: '002'}),
  stack(pacemakerManager, nfsService, {title: 'DRBD + NFS + corosync/pacemaker', ready: false, seed: '002'}),
  // Seed 003: heartbeat moves DRBD and the mount; nothing floats on an address.
  stack(heartbeatManager, filesystemService, {
    title: 'DRBD + heartbeat',
    ready: false,
    seed: '003',
    floatsVip: false,
    heartbeat: {resources: drbdResources, serving: filesystemServing},
  }),
  // Seed 004: the VIP first (sm-notify speaks as it), then DRBD, the mount and NFS; stopped in reverse.
  stack(heartbeatManager, nfsService, {
    title: 'DRBD + NFS + heartbeat',
    ready: false,
    seed: '004',
    transitionLog: HA_LOG_PATH,
    serviceFailureBoundMs: () => NFS_MONITOR_BOUND_MS,
    heartbeat: {resources: (config) => [vipResource(config), ...drbdResources(config), NFS_RESOURCE], serving: nfsServing},
  }),
]

/** `stack: lvs` is the older spelling of keepalived directing an LVS pool. */
export function managerOf(stack: Stack): Manager {
  return stack === 'lvs' ? 'keepalived' : stack
}

/** What a cluster file serves: its `service`; left out, `lvs` for `stack: lvs`, `nfs` when it has an `nfs` section, else the DRBD filesystem alone. */
export function serviceOf(config: Pick<ClusterConfig, 'stack' | 'service' | 'nfs'>): Service {
  return config.service ?? (config.stack === 'lvs' ? 'lvs' : config.nfs ? 'nfs' : 'filesystem')
}

export function findStack(manager: Manager, service: Service): StackDescriptor | undefined {
  return STACK_DESCRIPTORS.find((s) => s.manager.id === manager && s.service.id === service)
}

/** The descriptor for a cluster file's `stack` and `service` values; `stack: lvs` serves nothing but lvs. */
export function stackFor(stack: Stack, service: Service): StackDescriptor | undefined {
  if (stack === 'lvs' && service !== 'lvs') return undefined
  return findStack(managerOf(stack), service)
}

/** The descriptor of a validated cluster file (validation refuses combinations that have none). */
export function stackOf(config: Pick<ClusterConfig, 'stack' | 'service' | 'nfs'>): StackDescriptor {
  const found = stackFor(config.stack, serviceOf(config))
  if (!found) throw new UsageError(`hapair builds no stack of ${config.stack} serving ${serviceOf(config)}`, `stacks: ${STACK_DESCRIPTORS.map(describeChoice).join('; ')}`)
  return found
}

/** The stack's descriptor, refusing one whose steps are not built yet (before any connection). */
export function readyStackOf(config: Pick<ClusterConfig, 'stack' | 'service' | 'nfs'>): StackDescriptor {
  const s = stackOf(config)
  if (!s.ready) {
    throw new UsageError(
      `the ${s.title} stack (stack: ${config.stack}, service: ${s.service.id}) is not built in this version of hapair yet: its cluster file is understood, but there are no steps to install it`,
      `stacks ready now: ${READY_STACKS.map(describeChoice).join('; ')}`,
    )
  }
  return s
}

export const READY_STACKS: readonly StackDescriptor[] = STACK_DESCRIPTORS.filter((s) => s.ready)

/** `nfs-keepalived (stack: keepalived, service: nfs)` */
export function describeChoice(s: StackDescriptor): string {
  return `${s.id} (stack: ${s.manager.id}, service: ${s.service.id})`
}

/** The `stack` value a cluster file writes for a descriptor (the manager's name). */
export function stackValue(s: StackDescriptor): Stack {
  return s.manager.id
}
