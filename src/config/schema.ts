/**
 * The cluster file (`hapair.yaml`). Its key names are a public contract: rename nothing.
 * Shapes only; cross-field rules (VIP in the nodes' subnet, port collisions, ...) live in validate.ts.
 */
import {z} from 'zod'
import {isHostname, isIP, isIPv6} from './address.js'

/**
 * `stack` names the HA manager; `lvs` is the older spelling of keepalived directing an LVS pool
 * (manager keepalived, service lvs). `service` names what the active node serves; left out, it is
 * `lvs` for `stack: lvs` and `nfs` otherwise. src/stacks/ turns the pair into a stack descriptor.
 */
export const STACKS = ['keepalived', 'heartbeat', 'pacemaker', 'lvs'] as const
export type Stack = (typeof STACKS)[number]
export const MANAGERS = ['keepalived', 'heartbeat', 'pacemaker'] as const
export type Manager = (typeof MANAGERS)[number]
export const SERVICES = ['nfs', 'filesystem', 'lvs'] as const
export type Service = (typeof SERVICES)[number]

const ipv4 = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/, 'is not an IPv4 address')
/** What SSH dials: an IPv4 or IPv6 literal or a strict host name (address.ts says why strict). */
const hostAddress = z
  .string()
  .refine((v) => isIP(v) || isHostname(v), 'is not an IPv4 or IPv6 address or a host name (letters, digits, dots and hyphens)')
/** DRBD accepts either family for the replication link (`address ipv6 [..]:port`). */
const ipAddress = z.string().refine((v) => isIP(v), 'is not an IPv4 or IPv6 address')
/**
 * A ProxyJump spec as ssh(1) takes it: `[user@]host[:port]`, several hops comma-separated; an
 * IPv6 host in brackets. Each hop's host is held to the same rules as a node address.
 */
export const JUMP_HOP_RE = /^(?:([a-z_][a-z0-9_.-]{0,31})@)?(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+)(?::(\d{1,5}))?$/
const proxyJump = z
  .string()
  .refine(
    (v) =>
      v.split(',').every((hop) => {
        const m = JUMP_HOP_RE.exec(hop.trim())
        if (!m) return false
        const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2]
        return (m[2].startsWith('[') ? isIPv6(host) : isIP(host) || isHostname(host)) && (m[3] === undefined || (Number(m[3]) >= 1 && Number(m[3]) <= 65535))
      }),
    'is not a jump host list like admin@bastion.example.com:22 (several hops comma-separated)',
  )
const port = z.number().int().min(1, 'must be 1-65535').max(65535, 'must be 1-65535')
/** Remote or local absolute path; `~/` allowed only where the file is local (identityFile). */
const absPath = z.string().regex(/^\//, 'must be an absolute path (start with /)')
const localPath = z.string().regex(/^(\/|~\/)/, 'must be an absolute path (start with / or ~/)')
/** Sizes like 512M, 10G, 10GiB, 1.5T (binary units); an SI-looking 10GB passes here and validate.ts refuses it with the fix. */
export const SIZE_RE = /^\d+(\.\d+)?\s*([KMGT]i?B?|[kmgt])?$/
const size = z.string().regex(SIZE_RE, 'is not a size like 512M or 10G')
const nodeName = z
  .string()
  .regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/, 'must be a short hostname (letters, digits, -), equal to `uname -n`')
const identifier = z.string().regex(/^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/, 'may hold only letters, digits, _ . -')

export const sshSchema = z
  .object({
    user: z.string().min(1).default('root'),
    port: port.default(22),
    identityFile: localPath.optional(),
    knownHostsFile: localPath.optional(),
    /** Pinned host key fingerprint, `SHA256:...` as `ssh-keygen -lf` prints it. */
    hostKey: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must be a SHA256:... fingerprint').optional(),
    connectTimeout: z.number().int().min(1).max(600).default(15),
    /** Bastion(s) to reach the node through, as ssh's ProxyJump; ~/.ssh/config's ProxyJump applies when this is unset. */
    proxyJump: proxyJump.optional(),
  })
  .strict()

/** One SSH hop as the transport dials it: a jump host or the node itself. */
export interface SshHop {
  /** The name as written (for messages and ~/.ssh/config matching). */
  name: string
  /** What is dialled and what known_hosts is checked against (HostName from ~/.ssh/config, else name). */
  host: string
  port: number
  user: string
  identityFile?: string
}

/**
 * How to reach a node, worked out at load time from the cluster file and ~/.ssh/config
 * (resolve-nodes.ts); never written to the file. Without it the transport dials `address`.
 */
export interface SshRoute {
  /** What to dial for the node itself (HostName from ~/.ssh/config, else the address). */
  host: string
  /** Jump hosts in order; empty for a direct connection. */
  jumps: SshHop[]
  /** ~/.ssh/config asked `StrictHostKeyChecking accept-new` (or no) for this host: unknown keys are recorded, changed ones still refused. */
  acceptNewHostKeys?: boolean
  /** Settings taken from ~/.ssh/config, for messages (`User, IdentityFile from ~/.ssh/config Host node1`). */
  fromSshConfig?: string
}

export const nodeSchema = z
  .object({
    name: nodeName,
    /** SSH address: IPv4, IPv6 or a host name (also a ~/.ssh/config Host alias). */
    address: hostAddress,
    /**
     * The node's IPv4 address on the VIP's network, for what needs an IP (keepalived's unicast
     * peers, /etc/hosts, firewall sources). Needed only when `address` is not IPv4; a host name
     * is resolved at load when it is left out.
     */
    ip: ipv4.optional(),
    /** Replication / heartbeat address when it differs from the SSH address (a dedicated link). */
    replicationAddress: ipAddress.optional(),
    /** Preference for holding the service: higher wins (keepalived priority). Defaults 100 / 90. */
    priority: z.number().int().min(1, 'must be 1-254').max(254, 'must be 1-254').optional(),
    ssh: sshSchema.default({}),
  })
  .strict()

export const vipSchema = z
  .object({
    address: ipv4,
    prefix: z.number().int().min(1, 'must be 1-32').max(32, 'must be 1-32'),
    interface: z.string().regex(/^[a-zA-Z0-9_.:-]{1,15}$/, 'is not an interface name'),
  })
  .strict()

export const storageSchema = z
  .object({
    disk: absPath,
    partition: z
      .object({
        number: z.number().int().min(1).max(128),
        size: z.union([z.literal('rest'), size]),
      })
      .strict(),
  })
  .strict()

export const drbdSchema = z
  .object({
    resource: identifier.default('r0'),
    device: z.string().regex(/^\/dev\/drbd\d+$/, 'must be /dev/drbdN').default('/dev/drbd0'),
    port: port.default(7788),
    protocol: z.enum(['A', 'B', 'C'], {message: 'must be A, B or C'}).default('C'),
    syncRate: size.default('100M'),
  })
  .strict()

export const filesystemSchema = z
  .object({
    type: z.enum(['ext4', 'xfs'], {message: 'must be ext4 or xfs'}).default('ext4'),
    mountPoint: absPath,
  })
  .strict()

export const nfsExportSchema = z
  .object({
    path: absPath,
    clients: z.string().min(1),
    options: z.array(z.string().regex(/^[a-z_]+(=[^\s,]+)?$/, 'is not an exports option')).default(['rw', 'sync', 'no_root_squash']),
  })
  .strict()

export const nfsSchema = z
  .object({
    exports: z.array(nfsExportSchema).min(1, 'needs at least one export'),
    /** NFSv4 lease and grace (seconds): short, so clients do not wait out the 90 s default after a failover. */
    leaseTime: z.number().int().min(10, "must be at least 10 (the kernel refuses less)").max(3600).default(10),
    graceTime: z.number().int().min(10, "must be at least 10 (the kernel refuses less)").max(3600).default(10),
  })
  .strict()

export const keepalivedSchema = z
  .object({
    virtualRouterId: z.number().int().min(1, 'must be 1-255').max(255, 'must be 1-255'),
    advertInt: z.number().int().min(1).max(255).default(1),
    preempt: z.boolean().default(true),
    /** Unicast VRRP to the peer instead of multicast (networks that drop multicast). */
    unicast: z.boolean().default(true),
    /** With `unicast: false`: the group adverts go to (seed 001's vrrp_mcast_group4); left out, VRRP's own 224.0.0.18. */
    mcastGroup: ipv4.optional(),
  })
  .strict()

export const heartbeatSchema = z
  .object({
    keepalive: z.number().int().min(1).default(1),
    deadtime: z.number().int().min(2).default(5),
    warntime: z.number().int().min(1).default(3),
    initdead: z.number().int().min(2).default(20),
    udpPort: port.default(694),
    autoFailback: z.boolean().default(false),
    /** An address both nodes can ping (usually the gateway) so a node that lost the network gives up the service. */
    ping: ipv4.optional(),
    /** How heartbeats travel: unicast to the peer (works where multicast and broadcast are dropped), broadcast or multicast. */
    media: z.enum(['ucast', 'bcast', 'mcast'], {message: 'must be ucast, bcast or mcast'}).default('ucast'),
    /** Multicast group for `media: mcast` (224.0.0.0/4). */
    mcastGroup: ipv4.default('225.0.0.1'),
    /** Interface heartbeats use; left out, the one each node routes its peer's address through. */
    interface: z.string().regex(/^[a-zA-Z0-9_.:-]{1,15}$/, 'is not an interface name').optional(),
  })
  .strict()

/** A BMC that powers one node off and on (fence_ipmilan); its password lives in the secrets file (`fencePasswords.<node>`). */
export const fenceDeviceSchema = z
  .object({
    /** The node this device fences (powers off). */
    node: nodeName,
    /** The BMC's address (iLO, iDRAC, IPMI over LAN). */
    ip: hostAddress,
    ipport: port.default(623),
    username: z.string().min(1, 'must not be empty'),
    /** IPMI 2.0 (lanplus): encrypted sessions; off only for BMCs that speak IPMI 1.5 alone. */
    lanplus: z.boolean().default(true),
    /** RMCP+ cipher suite (ipmitool -C): left out, ipmitool's default (17, then what the BMC offers); 3 for BMCs without SHA-256 (ipmi_sim). */
    cipher: z.number().int().min(0).max(17).optional(),
  })
  .strict()

/**
 * Who may kill whom: `none` (said explicitly: a two-node cluster without fencing splits on a
 * network cut) or a fence agent with one device per node. `delay` keeps a split from fencing both
 * nodes: `static` seconds on the device that fences the preferred node (it survives a race), or a
 * random delay up to `randomMax` seconds on both.
 */
export const fencingSchema = z.union(
  [
    z.literal('none'),
    z
      .object({
        agent: z.enum(['fence_ipmilan'], {message: 'must be fence_ipmilan'}).default('fence_ipmilan'),
        delay: z
          .union([z.object({static: z.number().int().min(1).max(120)}).strict(), z.object({randomMax: z.number().int().min(1).max(120)}).strict()], {
            message: 'must be { static: SECONDS } or { randomMax: SECONDS }',
          })
          .default({static: 10}),
        devices: z.array(fenceDeviceSchema),
      })
      .strict(),
  ],
  {message: 'must be `none` or { agent: fence_ipmilan, devices: [...] }'},
)

/** corosync-qnetd on a third machine; corosync-qdevice on both nodes replaces two_node. */
export const quorumDeviceSchema = z
  .object({
    host: hostAddress,
    port: port.default(5403),
    algorithm: z.enum(['ffsplit', 'lms'], {message: 'must be ffsplit or lms'}).default('ffsplit'),
  })
  .strict()

export const pacemakerSchema = z
  .object({
    clusterName: identifier.default('hapair'),
    transport: z.enum(['knet', 'udpu']).default('knet'),
    port: port.default(5405),
    stickiness: z.number().int().min(0).default(100),
    /** corosync token timeout (ms): how long a silent node has before it is declared gone. */
    token: z.number().int().min(1000, 'must be at least 1000 (ms)').max(60000, 'must be at most 60000 (ms)').default(3000),
    /** knet's encryption and authentication of every corosync packet (udpu in corosync 3 has none). */
    crypto: z
      .object({
        cipher: z.enum(['aes256', 'aes192', 'aes128'], {message: 'must be aes256, aes192 or aes128'}).default('aes256'),
        hash: z.enum(['sha256', 'sha384', 'sha512'], {message: 'must be sha256, sha384 or sha512'}).default('sha256'),
      })
      .strict()
      .default({}),
    /** The command-line shell for the cluster: crmsh (Debian's default) or pcs (the RHEL family's only one); left out, per distro. */
    tools: z.enum(['crmsh', 'pcs'], {message: 'must be crmsh or pcs'}).optional(),
    fencing: fencingSchema,
    quorumDevice: quorumDeviceSchema.optional(),
  })
  .strict()
export type PacemakerConfig = z.infer<typeof pacemakerSchema>
export type FencingConfig = z.infer<typeof fencingSchema>

export const realServerSchema = z
  .object({
    name: nodeName,
    /** SSH address and the address the directors forward to: DR rewrites only the MAC, so it is an IPv4 on the VIP's network. */
    address: ipv4,
    /** The port the service answers on; left out, the virtual service's (direct routing cannot change it). */
    port: port.optional(),
    /** IPVS weight: share of new connections under wrr/wlc; 0 keeps it in the table but sends it nothing. */
    weight: z.number().int().min(0, 'must be 0-65535').max(65535, 'must be 0-65535').default(1),
    ssh: sshSchema.default({}),
  })
  .strict()

/** How keepalived's checker decides a real server is alive (seed 001: HTTP_GET on the page, status 200). */
export const lvsHealthCheckSchema = z
  .object({
    /** HTTP_GET asks `path` for `statusCode`; TCP_CHECK only connects to the port. */
    type: z.enum(['HTTP_GET', 'TCP_CHECK'], {message: 'must be HTTP_GET or TCP_CHECK'}).default('HTTP_GET'),
    path: z.string().regex(/^\//, 'must start with /').default('/'),
    statusCode: z.number().int().min(100, 'must be 100-599').max(599, 'must be 100-599').default(200),
    connectTimeout: z.number().int().min(1, 'must be 1-3600 (seconds)').max(3600, 'must be 1-3600 (seconds)').default(3),
    /** Failed tries in a row before the real server leaves the pool (keepalived's `retry`). */
    retries: z.number().int().min(1, 'must be 1-100').max(100, 'must be 1-100').default(3),
    delayBeforeRetry: z.number().int().min(1, 'must be 1-3600 (seconds)').max(3600, 'must be 1-3600 (seconds)').default(3),
    /** Seconds between checks of each real server (the virtual server's delay_loop). */
    delayLoop: z.number().int().min(1, 'must be 1-3600 (seconds)').max(3600, 'must be 1-3600 (seconds)').default(6),
  })
  .strict()

/** Seed 001's `vrrp_script chk_down`: while the maintenance file exists, the director's priority drops by -weight. */
export const chkDownSchema = z
  .object({
    enabled: z.boolean().default(true),
    weight: z.number().int().min(-253, 'must be -253 to -1').max(-1, 'must be -253 to -1 (a negative weight lowers the priority)').default(-15),
    interval: z.number().int().min(1, 'must be 1-60 (seconds)').max(60, 'must be 1-60 (seconds)').default(1),
    fall: z.number().int().min(1, 'must be 1-10').max(10, 'must be 1-10').default(2),
    rise: z.number().int().min(1, 'must be 1-10').max(10, 'must be 1-10').default(1),
  })
  .strict()

/** keepalived's `lvs_sync_daemon`: the master director sends its connection table to the backup (UDP 8848, multicast 224.0.0.81). */
export const syncDaemonSchema = z
  .object({
    /** Interface the sync messages go out of; left out, the VIP's. */
    interface: z.string().regex(/^[a-zA-Z0-9_.:-]{1,15}$/, 'is not an interface name').optional(),
    /** Sync id (0-255): tells apart several director pairs on one network. */
    id: z.number().int().min(0, 'must be 0-255').max(255, 'must be 0-255').default(0),
  })
  .strict()

export const lvsSchema = z
  .object({
    port: port.default(80),
    protocol: z.enum(['TCP', 'UDP'], {message: 'must be TCP or UDP'}).default('TCP'),
    scheduler: z.enum(['rr', 'wrr', 'lc', 'wlc', 'sh', 'dh'], {message: 'must be one of rr, wrr, lc, wlc, sh, dh'}).default('rr'),
    kind: z.enum(['DR', 'NAT'], {message: 'must be DR or NAT'}).default('DR'),
    /** Seconds a client keeps going to the same real server; left out, every connection is scheduled anew. */
    persistenceTimeout: z.number().int().min(1, 'must be 1-86400 (seconds)').max(86400, 'must be 1-86400 (seconds)').optional(),
    realServers: z.array(realServerSchema).min(2, 'needs at least two real servers (one alone is no pool to fail over within)'),
    healthCheck: lvsHealthCheckSchema.default({}),
    /** Touch this file on a director to hand the VIP to the peer (maintenance). */
    maintenanceFile: absPath.default('/etc/keepalived/down'),
    chkDown: chkDownSchema.default({}),
    syncDaemon: syncDaemonSchema.optional(),
    /** Where the notify script mails each director transition (with `mail` installed); left out, transitions are only logged. */
    notifyEmail: z.string().regex(/^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, 'is not a plain e-mail address like ops@example.com').optional(),
  })
  .strict()
export type LvsConfig = z.infer<typeof lvsSchema>

export const drillSchema = z
  .object({
    /** Where the drill's NFS client writer runs: `local` (the machine running hapair) or an SSH node. */
    client: z
      .union([
        z.literal('local'),
        z.object({name: nodeName, address: ipv4, ssh: sshSchema.default({})}).strict(),
      ])
      .default('local'),
    writeIntervalMs: z.number().int().min(10).max(10000).default(100),
    /** Longest a drill waits for the service to come back before calling it failed. */
    timeoutSeconds: z.number().int().min(5).max(3600).default(120),
  })
  .strict()

export const labSchema = z.object({dir: absPath}).strict()

export const clusterSchema = z
  .object({
    name: identifier,
    stack: z.enum(STACKS, {message: `must be one of ${STACKS.join(', ')}`}),
    service: z.enum(SERVICES, {message: `must be one of ${SERVICES.join(', ')}`}).optional(),
    nodes: z.array(nodeSchema),
    vip: vipSchema,
    storage: storageSchema.optional(),
    drbd: drbdSchema.default({}),
    filesystem: filesystemSchema.optional(),
    nfs: nfsSchema.optional(),
    keepalived: keepalivedSchema.optional(),
    heartbeat: heartbeatSchema.optional(),
    pacemaker: pacemakerSchema.optional(),
    lvs: lvsSchema.optional(),
    drill: drillSchema.default({}),
    lab: labSchema.optional(),
  })
  .strict()

export type ClusterConfig = z.infer<typeof clusterSchema>
export type NodeConfig = z.infer<typeof nodeSchema>
/** The file's ssh settings plus, after load, the route worked out from ~/.ssh/config (never written back). */
export type SshConfig = z.infer<typeof sshSchema> & {route?: SshRoute}
export type RealServerConfig = z.infer<typeof realServerSchema>

/** Generated secrets, kept in a 0600 file beside the cluster file, never in it, never printed. */
export const secretsSchema = z
  .object({
    drbdSharedSecret: z.string().min(16),
    keepalivedAuthPass: z.string().min(1).max(8, 'keepalived uses only the first 8 characters of auth_pass'),
    corosyncAuthkey: z.string().min(1), // base64 of 256 random bytes
    heartbeatAuthkey: z.string().min(16),
    /** BMC passwords for pacemaker fencing, by the node each fences; written by the user, never generated. */
    fencePasswords: z.record(z.string(), z.string().min(1)).optional(),
  })
  .strict()
export type Secrets = z.infer<typeof secretsSchema>
