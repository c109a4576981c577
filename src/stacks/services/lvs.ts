/**
 * An LVS director pool (seed 001): the active director holds the VIP and IPVS spreads
 * connections to real servers in direct-routing mode. No DRBD, nothing replicated.
 */
import type {ConfigProblem} from '../../errors.js'
import {isIPv4} from '../../config/net.js'
import type {LooseConfig, ServedService} from '../types.js'
import {duplicateValues} from '../rules.js'

export const lvsService: ServedService = {
  id: 'lvs',
  title: 'an LVS director pool',
  units: [],
  usesDrbd: false,
  servesNfs: false,
  sections: ['lvs'],
  unusedSections: [],
  packages: ['ipvsadm'],
  peerChannels: () => [],
  clientPorts: (config) =>
    config.lvs
      ? [{port: config.lvs.port, proto: config.lvs.protocol === 'UDP' ? 'udp' : 'tcp', service: 'LVS virtual service', required: true, note: 'clients reach the virtual service on the VIP held by the director'}]
      : [],
  rules: realServerRules,
}

function realServerRules(c: LooseConfig): ConfigProblem[] {
  if (!Array.isArray(c.lvs?.realServers)) return []
  const servers = c.lvs.realServers.filter((s) => s && typeof s === 'object')
  const used = new Map<string, string>()
  if (isIPv4(c.vip?.address)) used.set(c.vip.address, 'the VIP')
  ;(Array.isArray(c.nodes) ? c.nodes : []).forEach((n, i) => {
    const ip = n ? (n.ip ?? n.address) : undefined
    if (isIPv4(ip)) used.set(ip, `nodes[${i}] (a director)`)
  })
  const out: ConfigProblem[] = []
  servers.forEach((s, i) => {
    if (!isIPv4(s.address)) return
    const other = used.get(s.address)
    if (other) out.push({path: `lvs.realServers[${i}].address`, message: `${s.address} is also ${other}`, fix: 'give each real server its own address, apart from the directors and the VIP'})
    else used.set(s.address, `lvs.realServers[${i}]`)
  })
  out.push(...duplicateValues(servers.map((s, i) => ({path: `lvs.realServers[${i}].name`, value: typeof s.name === 'string' ? s.name.toLowerCase() : undefined})), 'real server name', 'give each real server its own name'))
  return out
}
