/**
 * The answers `hapair init` collects, from prompts or from flags, and the one pure function that
 * turns them into a cluster file. Both paths meet here, so `init --yes` and the wizard write the
 * same file for the same answers.
 */
import type {ClusterInput} from '../config/save.js'
import type {ClusterConfig, FencingConfig, Service, Stack} from '../config/schema.js'
import {MANAGER_DESCRIPTORS, managerOf, serviceOf, stackFor} from '../stacks/registry.js'
import type {StackDescriptor} from '../stacks/types.js'

export interface NodeAnswer {
  name: string
  /** What SSH dials: IPv4, IPv6 or a host name. */
  address: string
  /** The node's IPv4 when the address is not one (see config/address.ts). */
  ip?: string
  priority?: number
  ssh?: {user?: string; port?: number; identityFile?: string}
}

export interface InitAnswers {
  name: string
  stack: Stack
  /** What is served; left out: NFS when `nfs` is answered, else as the cluster file's default. */
  service?: Service
  nodes: [NodeAnswer, NodeAnswer]
  vip: {address: string; prefix: number; interface: string}
  /** Not for the lvs stack. */
  storage?: {disk: string; size: string; partitionNumber?: number}
  drbd?: {resource?: string; port?: number; protocol?: 'A' | 'B' | 'C'; syncRate?: string}
  filesystem?: {type?: 'ext4' | 'xfs'; mountPoint: string}
  /** The mount point is exported to these clients; none: no NFS. */
  nfs?: {clients: string; options?: string[]}
  keepalived?: {virtualRouterId: number; preempt?: boolean}
  heartbeat?: {ping?: string; autoFailback?: boolean}
  /** No fencing default: `fencing` is written only as answered (`none` included), so a file without it is refused with the fix. */
  pacemaker?: {clusterName?: string; fencing?: FencingConfig}
  lvs?: {port?: number; scheduler?: 'rr' | 'wrr' | 'lc' | 'wlc' | 'sh' | 'dh'; realServers: {name: string; address: string; port?: number}[]}
}

export const DEFAULTS = {
  name: 'hapair',
  stack: 'keepalived' as Stack,
  size: 'rest',
  mountPoint: '/data',
  virtualRouterId: 51,
  nfsOptions: ['rw', 'sync', 'no_root_squash'],
  drbd: {resource: 'r0', device: '/dev/drbd0', port: 7788, protocol: 'C' as const, syncRate: '100M'},
}

/** The stack the answers describe (the same rule the cluster file's `service` default follows). */
export function answeredStack(a: Pick<InitAnswers, 'stack' | 'service' | 'nfs'>): StackDescriptor | undefined {
  // serviceOf reads only whether the file has an nfs section, so the answer stands in for it.
  return stackFor(a.stack, serviceOf({stack: a.stack, service: a.service, nfs: a.nfs as unknown as ClusterConfig['nfs']}))
}

/** A section the answered stack needs: its manager's own, or one its service needs. */
export function stackNeeds(a: Pick<InitAnswers, 'stack' | 'service' | 'nfs'>, section: string): boolean {
  const s = answeredStack(a)
  if (!s) return MANAGER_DESCRIPTORS[managerOf(a.stack)]?.section === section
  return s.manager.section === section || (s.service.sections as string[]).includes(section)
}

export function buildClusterInput(a: InitAnswers): ClusterInput {
  const usesDisk = answeredStack(a)?.service.usesDrbd ?? true
  const mountPoint = a.filesystem?.mountPoint ?? DEFAULTS.mountPoint
  return {
    name: a.name,
    stack: a.stack,
    ...(a.service && {service: a.service}),
    nodes: a.nodes.map(nodeInput),
    vip: {...a.vip},
    ...(usesDisk && {
      storage: {disk: a.storage?.disk ?? '', partition: {number: a.storage?.partitionNumber ?? 1, size: a.storage?.size ?? DEFAULTS.size}},
      drbd: {...DEFAULTS.drbd, ...definedOnly(a.drbd ?? {})},
      filesystem: {type: a.filesystem?.type ?? 'ext4', mountPoint},
      ...(a.nfs && {nfs: {exports: [{path: mountPoint, clients: a.nfs.clients, options: a.nfs.options ?? DEFAULTS.nfsOptions}]}}),
    }),
    ...(stackNeeds(a, 'keepalived') && {
      keepalived: {virtualRouterId: a.keepalived?.virtualRouterId ?? DEFAULTS.virtualRouterId, advertInt: 1, preempt: a.keepalived?.preempt ?? true},
    }),
    ...(stackNeeds(a, 'heartbeat') && {heartbeat: {deadtime: 5, autoFailback: a.heartbeat?.autoFailback ?? false, ...(a.heartbeat?.ping && {ping: a.heartbeat.ping})}}),
    ...(stackNeeds(a, 'pacemaker') && {pacemaker: {clusterName: a.pacemaker?.clusterName ?? 'hapair', fencing: a.pacemaker?.fencing} as ClusterInput['pacemaker']}),
    ...(stackNeeds(a, 'lvs') && {
      lvs: {port: a.lvs?.port ?? 80, scheduler: a.lvs?.scheduler ?? 'rr', realServers: (a.lvs?.realServers ?? []).map((s) => ({...s}))},
    }),
  }
}

/** SSH settings are written only where they differ from the defaults (root, port 22, agent or ~/.ssh keys). */
function nodeInput(n: NodeAnswer): ClusterInput['nodes'][number] {
  const ssh = definedOnly({
    user: n.ssh?.user && n.ssh.user !== 'root' ? n.ssh.user : undefined,
    port: n.ssh?.port && n.ssh.port !== 22 ? n.ssh.port : undefined,
    identityFile: n.ssh?.identityFile || undefined,
  })
  return {name: n.name, address: n.address, ...(n.ip && {ip: n.ip}), ...(n.priority !== undefined && {priority: n.priority}), ...(Object.keys(ssh).length > 0 && {ssh})}
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>
}
