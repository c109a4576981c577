/**
 * keepalived.conf for one node of the keepalived stack: a pure function of the cluster file,
 * the secrets and the node. Both nodes start as BACKUP; priority decides who becomes MASTER.
 */
import type {ClusterConfig, NodeConfig, Secrets} from '../config/schema.js'
import type {SecretKey} from '../facts/file.js'
import {CHECK_SCRIPT_PATH, NOTIFY_SCRIPT_PATH} from './scripts/paths.js'

export const KEEPALIVED_CONF_PATH = '/etc/keepalived/keepalived.conf'
/** Holds auth_pass: readable by root only. */
export const KEEPALIVED_CONF_MODE = 0o600
/** `{}` is the temp file; exit 0 valid, 5 config error. Never point -t at a missing file: it returns 0. */
export const KEEPALIVED_VALIDATE = 'keepalived -t -f {}'

export const KEEPALIVED_DROPIN_PATH = '/etc/systemd/system/keepalived.service.d/hapair.conf'
export const KEEPALIVED_DROPIN_MODE = 0o644

/** Check cadence: a dead NFS server is noticed within interval*fall seconds (plus one restart try). */
export const CHECK = {interval: 2, fall: 2, rise: 1, timeout: 60} as const

export function keepalivedSection(config: ClusterConfig): NonNullable<ClusterConfig['keepalived']> {
  if (!config.keepalived) throw new Error('the cluster file has no keepalived section')
  return config.keepalived
}

/** Priorities by node name: the node's own `priority`, else 100 for the first node and 90 for the second. */
export function keepalivedPriorities(config: ClusterConfig): Record<string, number> {
  const defaults = [100, 90]
  return Object.fromEntries(config.nodes.map((n, i) => [n.name, n.priority ?? defaults[i] ?? 80]))
}

/** The node that becomes MASTER when both are healthy: the highest priority, the first node on a tie. */
export function preferredNode(config: ClusterConfig): NodeConfig {
  const prio = keepalivedPriorities(config)
  return config.nodes.reduce((best, n) => (prio[n.name] > prio[best.name] ? n : best), config.nodes[0])
}

export function vrrpInstanceName(config: ClusterConfig): string {
  return `hapair_${config.name.replace(/[^A-Za-z0-9_]/g, '_')}`
}

/** Where keepalived.conf holds its secret, so facts and diffs can hide it (see fileFact). */
export const KEEPALIVED_SECRET_KEYS: readonly SecretKey[] = [{key: 'auth_pass', quoted: false}]

export function renderKeepalivedConf(config: ClusterConfig, secrets: Secrets, node: NodeConfig): string {
  const ka = keepalivedSection(config)
  const prio = keepalivedPriorities(config)
  const peers = config.nodes.filter((n) => n.name !== node.name)
  const vip = config.vip
  const notify = (what: string) => `    notify_${what} "${NOTIFY_SCRIPT_PATH} ${what}"`
  const lines = [
    `! managed by hapair (cluster ${config.name}, node ${node.name}): edit the cluster file and re-run hapair.`,
    '! Holds the VRRP password: keep this file 0600.',
    '',
    'global_defs {',
    `    router_id ${node.name}`,
    '    # Refuse to run a script if any part of its path is writable by a non-root user.',
    '    enable_script_security',
    '    # The notify and check scripts promote/demote DRBD, mount and start/stop the NFS server:',
    '    # they need root. Naming the user also stops the "keepalived_script does not exist" warning.',
    '    script_user root',
    '}',
    '',
    'vrrp_script chk_nfs {',
    `    script "${CHECK_SCRIPT_PATH}"`,
    `    interval ${CHECK.interval}`,
    `    timeout ${CHECK.timeout}`,
    `    fall ${CHECK.fall}`,
    `    rise ${CHECK.rise}`,
    '    # weight 0: after <fall> failures the instance goes to FAULT and gives up the VIP whatever',
    '    # the priorities; a negative weight only lowers priority, which moves nothing under nopreempt.',
    '    weight 0',
    '}',
    '',
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
      ? [`    unicast_src_ip ${node.address}`, '    unicast_peer {', ...peers.map((p) => `        ${p.address}`), '    }']
      : []),
    '    virtual_ipaddress {',
    `        ${vip.address}/${vip.prefix} dev ${vip.interface}`,
    '    }',
    '    track_script {',
    '        chk_nfs',
    '    }',
    notify('master'),
    notify('backup'),
    notify('fault'),
    notify('stop'),
    '}',
    '',
  ]
  return lines.join('\n')
}

/**
 * systemd drop-in for keepalived.service. keepalived forks notify_stop as it shuts down and does
 * not wait for it; with the default KillMode=control-group systemd then kills everything left
 * in the unit's cgroup, i.e. the script halfway through stopping NFS, unmounting and demoting
 * DRBD, and the peer then refuses to promote. KillMode=process signals only keepalived itself.
 *
 * Even so, keepalived's own notify_stop is sometimes never seen at all (twice in the lab's
 * stop-ha drill: no trace of the call, node1 left Primary and serving without its VIP, node2
 * refused to promote). So systemd also runs the stop release after every stop of the unit
 * (ExecStopPost), where keepalived cannot cut it short; notify.sh acts on it only after a clean
 * stop ($SERVICE_RESULT=success): a crashed or killed keepalived is restarted and judges for itself.
 * When both calls arrive, the lock runs them one after the other and the second finds nothing to do.
 */
export function renderKeepalivedDropIn(): string {
  return [
    '# managed by hapair: let notify_stop finish releasing NFS, the mount and DRBD when keepalived stops.',
    '[Service]',
    'KillMode=process',
    '# ...and release again after every clean stop, should keepalived\'s own notify_stop not have run.',
    `ExecStopPost=-${NOTIFY_SCRIPT_PATH} stop`,
    '# A crashed or SIGKILLed keepalived (which leaves its VIP behind) comes back within a second,',
    '# before the peer declares it dead; a clean `systemctl stop` is not restarted.',
    'Restart=on-failure',
    'RestartSec=1',
    '',
  ].join('\n')
}
