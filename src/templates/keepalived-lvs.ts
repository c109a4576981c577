/**
 * What the LVS pool adds to keepalived.conf (seed 001): the maintenance check `chk_down`, the
 * notify script on every transition, the IPVS connection sync, and the `virtual_server` with a
 * `real_server` and its health check per pool member. Pure functions of the cluster file.
 */
import type {ClusterConfig, LvsConfig} from '../config/schema.js'
import {UsageError} from '../errors.js'
import {vrrpInstanceName, type KeepalivedServiceParts} from './keepalived.js'
import {LVS_NOTIFY_SCRIPT_PATH} from './scripts/paths.js'

export function lvsSection(config: ClusterConfig): LvsConfig {
  if (!config.lvs) throw new UsageError('the cluster file has no `lvs` section', 'add `lvs: { port: 80, realServers: [ ... ] }`')
  return config.lvs
}

export function lvsKeepalivedParts(config: ClusterConfig): KeepalivedServiceParts {
  const lvs = lvsSection(config)
  const notify = (what: string) => `    notify_${what} "${LVS_NOTIFY_SCRIPT_PATH} ${what}"`
  return {
    global: lvs.syncDaemon ? syncDaemonLines(config, lvs.syncDaemon) : [],
    before: lvs.chkDown.enabled ? chkDownBlock(lvs) : [],
    instance: [...(lvs.chkDown.enabled ? ['    track_script {', '        chk_down', '    }'] : []), notify('master'), notify('backup'), notify('fault')],
    after: renderVirtualServer(config),
  }
}

/**
 * `test` alone, no shell: keepalived execs the script line as words, and enable_script_security
 * accepts a root-owned binary. Exit 1 while the file exists lowers the priority by -weight.
 */
function chkDownBlock(lvs: LvsConfig): string[] {
  const c = lvs.chkDown
  return [
    `# Maintenance: touch ${lvs.maintenanceFile} on a director and it hands the VIP to its peer.`,
    'vrrp_script chk_down {',
    `    script "/usr/bin/test ! -e ${lvs.maintenanceFile}"`,
    `    interval ${c.interval}`,
    `    weight ${c.weight}`,
    `    fall ${c.fall}`,
    `    rise ${c.rise}`,
    '}',
    '',
  ]
}

/** The master director sends its connection table, the backup receives it: established connections survive a takeover. */
function syncDaemonLines(config: ClusterConfig, sync: NonNullable<LvsConfig['syncDaemon']>): string[] {
  return ['    # Connection sync between the directors (ip_vs sync daemon, UDP 8848 to 224.0.0.81).', `    lvs_sync_daemon ${sync.interface ?? config.vip.interface} ${vrrpInstanceName(config)} id ${sync.id}`]
}

/** The checker block of one real server: HTTP_GET asks the page for its status, TCP_CHECK only connects. */
function checkLines(lvs: LvsConfig): string[] {
  const h = lvs.healthCheck
  const timing = [`            connect_timeout ${h.connectTimeout}`, `            retry ${h.retries}`, `            delay_before_retry ${h.delayBeforeRetry}`]
  if (h.type === 'TCP_CHECK') return ['        TCP_CHECK {', ...timing, '        }']
  return ['        HTTP_GET {', '            url {', `                path ${h.path}`, `                status_code ${h.statusCode}`, '            }', ...timing, '        }']
}

export function renderVirtualServer(config: ClusterConfig): string[] {
  const lvs = lvsSection(config)
  return [
    `virtual_server ${config.vip.address} ${lvs.port} {`,
    `    delay_loop ${lvs.healthCheck.delayLoop}`,
    `    lb_algo ${lvs.scheduler}`,
    `    lb_kind ${lvs.kind}`,
    ...(lvs.persistenceTimeout ? [`    persistence_timeout ${lvs.persistenceTimeout}`] : []),
    `    protocol ${lvs.protocol}`,
    ...lvs.realServers.flatMap((s) => ['', `    # ${s.name}`, `    real_server ${s.address} ${lvs.port} {`, `        weight ${s.weight}`, ...checkLines(lvs), '    }']),
    '}',
    '',
  ]
}
