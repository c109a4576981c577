/**
 * Files the LVS steps own outside keepalived.conf, as pure functions of the cluster file: the
 * directors' ip_vs module list, and on each real server the ARP settings and the unit that puts
 * the VIP on `lo`.
 */
import type {ClusterConfig} from '../config/schema.js'

export const MODULES_LOAD_PATH = '/etc/modules-load.d/hapair-lvs.conf'
export const ARP_SYSCTL_PATH = '/etc/sysctl.d/90-hapair-lvs.conf'
export const LOOPBACK_UNIT = 'hapair-lvs-vip.service'
export const LOOPBACK_UNIT_PATH = `/etc/systemd/system/${LOOPBACK_UNIT}`
export const PLAIN_FILE_MODE = 0o644

export function renderModulesLoad(): string {
  return '# managed by hapair: IPVS for the LVS directors, loaded at boot before keepalived builds its table.\nip_vs\n'
}

/**
 * A real server holds the VIP on lo but must never answer ARP for it (the active director does):
 * arp_ignore=1 answers only for addresses on the interface asked, arp_announce=2 never uses the
 * VIP as the source of its own ARP requests. The kernel takes the larger of `all` and the
 * interface's value, so both are set.
 */
export const ARP_SETTINGS: Readonly<Record<string, string>> = {
  'net.ipv4.conf.all.arp_ignore': '1',
  'net.ipv4.conf.all.arp_announce': '2',
  'net.ipv4.conf.lo.arp_ignore': '1',
  'net.ipv4.conf.lo.arp_announce': '2',
}

export function renderArpSysctl(): string {
  return [
    '# managed by hapair: an LVS-DR real server holds the VIP on lo and must leave ARP for it to the director.',
    ...Object.entries(ARP_SETTINGS).map(([k, v]) => `${k} = ${v}`),
    '',
  ].join('\n')
}

/**
 * The VIP as a /32 on lo, owned by a unit of hapair's own (works alike under ifupdown,
 * NetworkManager or systemd-networkd). After systemd-sysctl, so the ARP settings are live before
 * the address exists; `ip` without a path is looked up by systemd (>= 239) on every family.
 */
export function renderLoopbackUnit(config: ClusterConfig): string {
  const vip = `${config.vip.address}/32`
  return [
    '# managed by hapair: edit the cluster file and re-run hapair.',
    '[Unit]',
    `Description=hapair LVS-DR: VIP ${vip} on lo (cluster ${config.name})`,
    'After=systemd-sysctl.service',
    'Before=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    `ExecStart=ip addr replace ${vip} dev lo`,
    // `-`: an address already gone (removed by hand) is no reason for the unit to fail.
    `ExecStop=-ip addr del ${vip} dev lo`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n')
}

/** The VIP an earlier version of the unit put on lo (its ExecStart line), so a changed VIP leaves no stale address behind. */
export function loopbackUnitVip(unit: string | null): string | undefined {
  return unit ? /^ExecStart=ip addr replace (\d+\.\d+\.\d+\.\d+)\/32 dev lo$/m.exec(unit)?.[1] : undefined
}
