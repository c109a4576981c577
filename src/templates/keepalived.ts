/**
 * keepalived.conf for one node: the VRRP core (instance, VIP, priority, preempt, auth, unicast) as
 * a pure function of the cluster file, the secrets and the node, composed with what the served
 * service adds (keepalived-nfs.ts for NFS). Both nodes start as BACKUP; priority decides who
 * becomes MASTER.
 */
import {nodeIp} from '../config/address.js'
import type {ClusterConfig, NodeConfig, Secrets} from '../config/schema.js'
import {nodePriorities} from '../stacks/preferred-node.js'
import type {SecretKey} from '../facts/file.js'

export const KEEPALIVED_CONF_PATH = '/etc/keepalived/keepalived.conf'
/** Holds auth_pass: readable by root only. */
export const KEEPALIVED_CONF_MODE = 0o600
/** `{}` is the temp file; exit 0 valid, 5 config error. Never point -t at a missing file: it returns 0. */
export const KEEPALIVED_VALIDATE = 'keepalived -t -f {}'

export const KEEPALIVED_DROPIN_PATH = '/etc/systemd/system/keepalived.service.d/hapair.conf'
export const KEEPALIVED_DROPIN_MODE = 0o644

export function keepalivedSection(config: ClusterConfig): NonNullable<ClusterConfig['keepalived']> {
  if (!config.keepalived) throw new Error('the cluster file has no keepalived section')
  return config.keepalived
}

/**
 * What a served service adds to the VRRP core: blocks before the instance (vrrp_script), lines
 * inside it (track_script, notify_*), blocks after it (virtual_server for LVS).
 */
export interface KeepalivedServiceParts {
  /** Lines inside global_defs (lvs_sync_daemon for LVS). */
  global?: string[]
  before: string[]
  instance: string[]
  after: string[]
}

export function vrrpInstanceName(config: ClusterConfig): string {
  return `hapair_${config.name.replace(/[^A-Za-z0-9_]/g, '_')}`
}

/** Where keepalived.conf holds its secret, so facts and diffs can hide it (see fileFact). */
export const KEEPALIVED_SECRET_KEYS: readonly SecretKey[] = [{key: 'auth_pass', quoted: false}]

export function renderKeepalivedConf(config: ClusterConfig, secrets: Secrets, node: NodeConfig, parts: KeepalivedServiceParts): string {
  const ka = keepalivedSection(config)
  const prio = nodePriorities(config)
  const peers = config.nodes.filter((n) => n.name !== node.name)
  const vip = config.vip
  const lines = [
    `! managed by hapair (cluster ${config.name}, node ${node.name}): edit the cluster file and re-run hapair.`,
    '! Holds the VRRP password: keep this file 0600.',
    '',
    'global_defs {',
    `    router_id ${node.name}`,
    '    # Refuse to run a script if any part of its path is writable by a non-root user.',
    '    enable_script_security',
    '    # The service\'s scripts (notify, checks) act on DRBD, mounts and daemons: they need root.',
    '    # Naming the user also stops the "keepalived_script does not exist" warning.',
    '    script_user root',
    ...(!ka.unicast && ka.mcastGroup ? [`    vrrp_mcast_group4 ${ka.mcastGroup}`] : []),
    ...(parts.global ?? []),
    '}',
    '',
    ...parts.before,
    `vrrp_instance ${vrrpInstanceName(config)} {`,
    '    # BACKUP on both nodes: priority elects the master, and nopreempt requires it.',
    '    state BACKUP',
    `    interface ${vip.interface}`,
    `    virtual_router_id ${ka.virtualRouterId}`,
    `    priority ${prio[node.name]}`,
    `    advert_int ${ka.advertInt}`,
    ...(ka.preempt ? [] : ['    # No automatic failback: a recovered node stays BACKUP until the master fails.', '    nopreempt']),
    // One keyword per line: keepalived 2.2.7 rejects `authentication { auth_type PASS ... }` on one line.
    '    authentication {',
    '        auth_type PASS',
    `        auth_pass ${secrets.keepalivedAuthPass}`,
    '    }',
    ...(ka.unicast
      ? [`    unicast_src_ip ${nodeIp(node)}`, '    unicast_peer {', ...peers.map((p) => `        ${nodeIp(p)}`), '    }']
      : []),
    '    virtual_ipaddress {',
    `        ${vip.address}/${vip.prefix} dev ${vip.interface}`,
    '    }',
    ...parts.instance,
    '}',
    '',
    ...parts.after,
  ]
  return lines.join('\n')
}

