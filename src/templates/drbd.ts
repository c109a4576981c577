/**
 * DRBD configuration files as pure functions of the cluster file, the secrets and the kernel
 * module's major version. Both nodes get byte-identical files (DRBD requires the same resource
 * definition on both sides; identical bytes make that checkable by hash).
 *
 * One syntax serves 8.4 and 9 (drbd-utils 9.22 accepts `resync-rate` in `disk {}` for both and moves
 * it to the peer-device options on 9); 9 additionally gets explicit `node-id`s so that node ids never
 * depend on the order drbdadm happens to assign them.
 */
import {isIPv6, replicationIp} from '../config/address.js'
import type {ClusterConfig, Secrets} from '../config/schema.js'
import {partitionPath, sizeBytes} from '../facts/disks.js'
import type {DrbdMajor} from '../facts/drbd.js'
import type {SecretKey} from '../facts/file.js'

/**
 * How long DRBD takes to declare a silent peer lost with the ping settings hapair leaves at their
 * defaults (ping-int 10 s, then ping-timeout 0.5 s): until then a partitioned standby still sees
 * its peer as Primary, and a promotion is refused.
 */
export const DRBD_PEER_LOSS_MS = 10_500

export const DRBD_CONF_PATH = '/etc/drbd.conf'
export const GLOBAL_COMMON_PATH = '/etc/drbd.d/global_common.conf'

export function resourceFilePath(config: ClusterConfig): string {
  return `/etc/drbd.d/${config.drbd.resource}.res`
}

/** The DRBD backing device: the configured partition of the configured disk (same path on both nodes). */
export function backingDevice(config: ClusterConfig): string {
  if (!config.storage) throw new Error('storage is not set in the cluster file')
  return partitionPath(config.storage.disk, config.storage.partition.number)
}

/** A size for DRBD's rate options: whole MiB as `100M`, otherwise KiB (`1536K`). */
export function drbdRate(size: string): string {
  const bytes = sizeBytes(size)
  const MiB = 1024 * 1024
  return bytes % MiB === 0 ? `${bytes / MiB}M` : `${Math.max(1, Math.round(bytes / 1024))}K`
}

/** The distribution's standard drbd.conf: global_common.conf plus every resource file. */
export function drbdConf(): string {
  return `# Managed by hapair.
include "drbd.d/global_common.conf";
include "drbd.d/*.res";
`
}

export function globalCommonConf(config: ClusterConfig): string {
  return `# Managed by hapair for cluster "${config.name}": written identically on both nodes.
# Resource settings live in ${config.drbd.resource}.res; edit hapair.yaml and re-run \`hapair drbd-init\`.
global {
  usage-count no;
}
common {
}
`
}

/** Characters that cannot appear inside a quoted drbd.conf string. */
const UNQUOTABLE = /["\\\s]/

/** Where the resource file holds its secret, so facts and diffs can hide it (see fileFact). */
export const DRBD_SECRET_KEYS: readonly SecretKey[] = [{key: 'shared-secret', quoted: true}]

/**
 * DRBD fences through the cluster manager (pacemaker): while the peer is unreachable and this node
 * is Primary, a constraint keeps the peer from being promoted, lifted once it has resynced.
 * drbd-utils ships both scripts; the 8.4 kernel module calls them as fence-peer and
 * after-resync-target, DRBD 9 as fence-peer and unfence-peer.
 */
export type DrbdFencing = 'resource-only'
export const CRM_FENCE_HANDLERS: Record<DrbdMajor, {fence: string; unfence: string; unfenceHandler: string}> = {
  8: {fence: '/usr/lib/drbd/crm-fence-peer.sh', unfence: '/usr/lib/drbd/crm-unfence-peer.sh', unfenceHandler: 'after-resync-target'},
  9: {fence: '/usr/lib/drbd/crm-fence-peer.9.sh', unfence: '/usr/lib/drbd/crm-unfence-peer.9.sh', unfenceHandler: 'unfence-peer'},
}

export function drbdResourceConf(config: ClusterConfig, secrets: Secrets, major: DrbdMajor, fencing?: DrbdFencing): string {
  const {drbd} = config
  const secret = secrets.drbdSharedSecret
  // DRBD keeps at most 64 bytes of shared-secret (SHARED_SECRET_MAX) and the parser has no escapes.
  if (secret.length > 64 || UNQUOTABLE.test(secret)) {
    throw new Error('drbdSharedSecret must be at most 64 characters without quotes, backslashes or spaces')
  }
  const rate = drbdRate(drbd.syncRate)
  const hosts = config.nodes
    .map((node, i) => {
      const address = replicationIp(node)
      const nodeId = major === 9 ? `    node-id ${i};\n` : ''
      // drbd.conf(5): an IPv6 address is written with its family and in brackets.
      const endpoint = isIPv6(address) ? `ipv6 [${address}]:${drbd.port}` : `${address}:${drbd.port}`
      return `  on ${node.name} {\n${nodeId}    address ${endpoint};\n  }`
    })
    .join('\n')
  return `# Managed by hapair for cluster "${config.name}": written identically on both nodes (DRBD ${major === 9 ? '9' : '8.4'} syntax).
# Edit hapair.yaml and re-run \`hapair drbd-init\` instead of this file.
resource ${drbd.resource} {
  device ${drbd.device};
  disk ${backingDevice(config)};
  meta-disk internal;

  net {
    protocol ${drbd.protocol};
    cram-hmac-alg sha1;
    shared-secret "${secret}";
    # Automatic split-brain recovery only where nothing written is lost: a side that wrote nothing
    # since the split resyncs from the other. When both sides wrote (a Primary on each side of a
    # partition, even one demoted since), DRBD stays StandAlone and a person chooses the survivor
    # (hapair split-brain recover). discard-secondary would silently drop writes the standby took
    # as Primary during the partition, just because it was demoted first.
    after-sb-0pri discard-zero-changes;
    after-sb-1pri consensus;
    after-sb-2pri disconnect;
${fencing && major === 9 ? fencingOption(fencing) : ''}  }

  disk {
    # A failing backing disk detaches: the node goes Diskless and serves I/O from the peer.
    on-io-error detach;
    # resync-rate starts the dynamic resync controller; c-max-rate caps it at the same rate.
    resync-rate ${rate};
    c-max-rate ${rate};
${fencing && major !== 9 ? fencingOption(fencing) : ''}  }

  handlers {
    split-brain "/usr/lib/drbd/notify-split-brain.sh root";
    out-of-sync "/usr/lib/drbd/notify-out-of-sync.sh root";
${fencing ? fencingHandlers(major) : ''}  }

${hosts}
}
`
}

/** 8.4 keeps `fencing` in `disk {}`, DRBD 9 in `net {}`. */
function fencingOption(fencing: DrbdFencing): string {
  return `    # The cluster manager fences: while the peer is unreachable it may not be promoted.\n    fencing ${fencing};\n`
}

function fencingHandlers(major: DrbdMajor): string {
  const h = CRM_FENCE_HANDLERS[major]
  return `    fence-peer "${h.fence}";\n    ${h.unfenceHandler} "${h.unfence}";\n`
}
