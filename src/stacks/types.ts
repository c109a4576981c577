/**
 * What the rest of hapair may know about an HA stack. A stack is an HA manager (keepalived,
 * heartbeat, pacemaker: who decides which node is active) times a served service (NFS on DRBD,
 * a DRBD filesystem alone, an LVS director pool: what the active node offers). Everything that
 * differs between stacks is a field here, filled in by the manager's and the service's own files;
 * code outside `src/stacks/` asks the descriptor and never compares stack names.
 */
import type {ConfigProblem} from '../errors.js'
import type {ClusterConfig, Manager, Secrets, Service} from '../config/schema.js'
import type {DrbdFencing} from '../templates/drbd.js'
import type {SecretKey} from '../facts/file.js'
import type {KeepalivedServiceParts} from '../templates/keepalived.js'
import type {LogicalPackage} from '../distro/packages.js'
import type {ServingCheck} from '../steps/serving/types.js'
import type {PackageFamily} from '../distro/family.js'

/** A cluster file as validation sees it: any key may be missing or of the wrong type. */
export type Loose<T> = T extends (infer U)[] ? Loose<U>[] : T extends object ? {[K in keyof T]?: Loose<T[K]>} : T
export type LooseConfig = Loose<ClusterConfig>

/**
 * A node-to-node channel the stack needs: one table feeding preflight's firewall checks, the
 * cluster file's port-collision rule and the `isolate` drill's cut.
 */
export type PeerChannel =
  | {
      proto: 'tcp' | 'udp'
      /** One port, or an inclusive range (corosync udpu also sends on port - 1). */
      port: number | [number, number]
      what: string
      /** The peer address it comes from: the replication link's, or the node's own. */
      via: 'replication' | 'address'
      /** Cluster-file key that sets the port (for collisions and their fix); none when fixed. */
      configPath?: string
      /** false: missing it in a firewall is a warning (e.g. pcsd, used only by pcs). */
      required: boolean
      note?: string
      /** The isolate drill leaves it open (management, not heartbeat or replication). */
      keepOnIsolate?: boolean
    }
  | {proto: 'vrrp'; what: string; via: 'address'; multicast: boolean; /** The multicast group, when not VRRP's 224.0.0.18. */ group?: string; required: true; note: string}

/** What clients reach on the active node (NFS, the LVS virtual service): preflight's firewall needs. */
export interface ClientPort {
  port: number
  proto: 'tcp' | 'udp'
  service: string
  /** The export's client spec when there is exactly one, so a source-limited rule can be judged. */
  spec?: string
  required: boolean
  note?: string
}

export interface Maintenance {
  /** Script run on the active node; prints `maintenance=<mode>` so heal knows what to undo. */
  enter: string
  /** Script that undoes `mode` on that node (null: a one-shot request with nothing to undo). */
  leave(mode: string): string | null
  describe: string
}

/**
 * A planned, clean move of the service from the active node to its peer, in the manager's own
 * terms: `release` asks the active node to hand over; once the peer serves, `rejoin` (if any)
 * brings the released node back as a standby. `held`: why the released node is left released
 * (and how the service returns), when rejoining would take the service straight back.
 */
export type Switchover =
  | {supported: true; release: string; rejoin: string | null; describe: string; held?: string}
  | {supported: false; why: string}

/** A cluster-file section a stack needs, and the rules only it knows. */
export interface SectionRules {
  /** Problems in the stack's own section(s), beyond the schema (cross-field timing, names, ...). */
  rules?(c: LooseConfig): ConfigProblem[]
  /** Secrets the section needs that the user writes into the secrets file (never generated); checked at load, before any connection. */
  secretRules?(config: ClusterConfig, secrets: Secrets): ConfigProblem[]
}

/** A file `hapair report` copies from each node, and the keys whose values it must not carry. */
export interface ReportedFile {
  path: string
  secretKeys?: readonly SecretKey[]
}

/** The HA manager: the daemon that decides which node is active. */
export interface HaManager extends SectionRules {
  id: Manager
  title: string
  /** Its cluster-file section (`keepalived:` ...), and whether the file must have it (else defaults apply). */
  section: 'keepalived' | 'heartbeat' | 'pacemaker'
  sectionRequired: boolean
  /** The section with its defaults, for a file that leaves an optional section out. */
  sectionDefaults?(): Record<string, unknown>
  packages: LogicalPackage[]
  /** systemd unit of the HA daemon (what `stop-ha` stops, heal starts and status reports). */
  haUnit: string
  /** Every systemd unit of the manager, for `hapair report` (status and journal of each). */
  units: string[]
  /** Config files the manager's steps write, for `hapair report`; secret values are replaced on the node. */
  configFiles: ReportedFile[]
  /** Process name `kill-ha` SIGKILLs (`pkill -x`). */
  haProcess: string
  startHa: string
  stopHa: string
  killHa: string
  /**
   * The manager itself promotes DRBD and mounts the filesystem (heartbeat's drbddisk, pacemaker's
   * drbd clone): then fstab lines for the device are commented out. (Under every manager, once it
   * runs, `drbd.primary`'s ongoing role and `filesystem.mount` stand down: keepalived's notify
   * scripts promote and mount too; see standDownNote.)
   */
  ownsDrbdRole: boolean
  /** DRBD fences through the manager (`fencing resource-only` with its crm-fence-peer handlers); left out, DRBD does not fence. */
  drbdFencing?: DrbdFencing
  /** DRBD's own boot service brings the resource up (false: the manager starts DRBD itself). */
  drbdUpAtBoot: boolean
  /** It looks its own node name up to pick its interface: a wrong or loopback answer breaks it. */
  needsExactNameResolution: boolean
  /** What it needs from SELinux when enforcing: daemons_enable_cluster_mode, or a label for keepalived's scripts. */
  selinux: {clusterDaemons: boolean; keepalivedScripts: boolean}
  peerChannels(config: ClusterConfig): PeerChannel[]
  /** Longest the manager's timers allow before a dead active node is noticed, in ms. */
  detectionBoundMs(config: ClusterConfig): number
  detectionBoundWhy(config: ClusterConfig): string
  maintenance(config: ClusterConfig): Maintenance
  /** Does service return to the preferred node by itself when it comes back (preempt / auto_failback)? */
  failsBack(config: ClusterConfig): {returns: boolean; why: string}
  /** How `hapair switchover` moves the service from node `from` to node `to`. */
  switchover(config: ClusterConfig, from: string, to: string): Switchover
  /** Moves service off a node before a failback drill / brings it back (the failback fault). */
  failbackPrepare: string
  failbackInject: string
}

/** What the active node offers. */
export interface ServedService extends SectionRules {
  id: Service
  title: string
  /** A DRBD-replicated disk with a filesystem underneath (storage, drbd, filesystem sections). */
  usesDrbd: boolean
  /** Serves NFS from the DRBD filesystem: drills that write through NFS apply. */
  servesNfs: boolean
  /**
   * How a failover drill's writer reaches the service: 'nfs', through the VIP's first export with
   * an NFS client (this machine's or `drill.client`'s); 'on-node', on whichever node holds the
   * DRBD mount, over SSH, for a service no network client reaches (drills/on-node-records.ts).
   * Left out: the service has nothing a drill writes to, and no drill applies.
   */
  drillWriter?: 'nfs' | 'on-node'
  /** Cluster-file sections this service needs. */
  sections: ('storage' | 'filesystem' | 'nfs' | 'lvs')[]
  /** systemd units of the service (DRBD's included), for `hapair report` (status and journal of each). */
  units: string[]
  packages: LogicalPackage[]
  /** Cluster-file sections that make no sense with it (an `nfs:` section under `service: filesystem`). */
  unusedSections: ('nfs' | 'lvs' | 'storage' | 'filesystem')[]
  clientPorts(config: ClusterConfig): ClientPort[]
  peerChannels(config: ClusterConfig): PeerChannel[]
}

/** One buildable combination, with its runbooks. */
export interface StackDescriptor {
  /** `nfs-keepalived`: the runbook that takes blank nodes to the running service has the same name. */
  id: string
  title: string
  manager: HaManager
  service: ServedService
  /** Runbook from blank nodes to the running service. */
  runbook: string
  /** Runbook of the HA layer alone, for `hapair ha-install` on nodes whose DRBD is ready. */
  haInstallRunbook: string
  /** Built and proven in the lab. false: its descriptor exists (validation, preflight) but its steps do not yet. */
  ready: boolean
  /** Seed write-up it automates, for help texts. */
  seed: string
  /** File on each node where the stack's scripts log transitions with timestamps, if any. */
  transitionLog?: string
  /**
   * The bare commands of a takeover, which `failover-test --floor` times with the HA manager
   * stopped on both nodes: `release` on the serving node, then `acquire` on its peer. Each takes
   * the stack's transition lock, prints its own time (FLOOR_MS_MARK) and exits BARE_REFUSED when
   * it refuses without changing anything. Left out: the stack has no floor to measure.
   */
  bareHandover?: {
    release(config: ClusterConfig, family: PackageFamily): string
    acquire(config: ClusterConfig, family: PackageFamily): string
  }
  /** Longest from the service dying to the HA layer giving it up (0 if nothing watches it), in ms. */
  serviceFailureBoundMs(config: ClusterConfig): number
  /** Every node-to-node channel: replication (the service's) and the manager's heartbeat. */
  peerChannels(config: ClusterConfig): PeerChannel[]
  /** The service floats on the cluster file's VIP (false: drbd-heartbeat's active node holds the mount alone). */
  floatsVip: boolean
  /**
   * heartbeat stacks: the haresources group (after the owning node, in start order) and what
   * heartbeat.service waits for and verifies on the node holding it and on the other.
   */
  heartbeat?: {
    resources(config: ClusterConfig): string[]
    serving: ServingCheck<any>
  }
  /** keepalived stacks: what the service adds to keepalived.conf, and the unit drop-in its scripts need. */
  keepalived?: {
    parts(config: ClusterConfig): KeepalivedServiceParts
    dropIn?(): string
    /** What keepalived.service waits for and verifies on the VIP holder and the others. */
    serving: ServingCheck<any>
  }
}
