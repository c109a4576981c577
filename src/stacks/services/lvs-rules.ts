/**
 * Cluster-file rules only the LVS pool knows: every host (director or real server) is one SSH
 * connection keyed by its name, DR forwards by MAC so real servers share the VIP's network, and
 * the maintenance file must be able to move the VIP. Tolerant of a half-valid file (see validate.ts).
 */
import type {ConfigProblem} from '../../errors.js'
import {inSubnet, isIPv4, isPrefix, subnetOf} from '../../config/net.js'
import {DEFAULT_PRIORITIES} from '../preferred-node.js'
import {duplicateValues} from '../rules.js'
import type {LooseConfig} from '../types.js'

export function lvsRules(c: LooseConfig): ConfigProblem[] {
  return [...realServerRules(c), ...poolRules(c), ...chkDownRules(c)]
}

function realServers(c: LooseConfig) {
  return Array.isArray(c.lvs?.realServers) ? c.lvs.realServers.filter((s) => s && typeof s === 'object') : []
}

function realServerRules(c: LooseConfig): ConfigProblem[] {
  const servers = realServers(c)
  const nodes = Array.isArray(c.nodes) ? c.nodes.filter((n) => n && typeof n === 'object') : []
  const used = new Map<string, string>()
  if (isIPv4(c.vip?.address)) used.set(c.vip.address, 'the VIP')
  nodes.forEach((n, i) => {
    const ip = n.ip ?? n.address
    if (isIPv4(ip)) used.set(ip, `nodes[${i}] (a director)`)
  })
  const directorNames = new Map(nodes.flatMap((n, i) => (typeof n.name === 'string' ? [[n.name.toLowerCase(), i] as const] : [])))
  const out: ConfigProblem[] = []
  servers.forEach((s, i) => {
    const at = `lvs.realServers[${i}]`
    if (isIPv4(s.address)) {
      const other = used.get(s.address)
      if (other) out.push({path: `${at}.address`, message: `${s.address} is also ${other}`, fix: 'give each real server its own address, apart from the directors and the VIP'})
      else used.set(s.address, at)
      // DR hands the packet on by rewriting only its MAC: the real server must be on the director's own network.
      const vip = c.vip
      if (vip && isIPv4(vip.address) && isPrefix(vip.prefix) && !inSubnet(s.address, vip.address, vip.prefix)) {
        out.push({path: `${at}.address`, message: `${s.address} is outside the VIP's network ${subnetOf(vip.address, vip.prefix)}; direct routing reaches real servers by MAC, on the directors' own segment`, fix: `use the real server's address in ${subnetOf(vip.address, vip.prefix)}`})
      }
    }
    // Hosts are connected and recorded by name: a real server named like a director would be confused with it.
    if (typeof s.name === 'string' && directorNames.has(s.name.toLowerCase())) {
      out.push({path: `${at}.name`, message: `${s.name} is also the name of nodes[${directorNames.get(s.name.toLowerCase())}] (a director)`, fix: 'name each real server after its own hostname, apart from the directors'})
    }
  })
  out.push(...duplicateValues(servers.map((s, i) => ({path: `lvs.realServers[${i}].name`, value: typeof s.name === 'string' ? s.name.toLowerCase() : undefined})), 'real server name', 'give each real server its own name'))
  return out
}

function poolRules(c: LooseConfig): ConfigProblem[] {
  const lvs = c.lvs
  if (!lvs || typeof lvs !== 'object') return []
  const out: ConfigProblem[] = []
  if (lvs.kind === 'NAT') out.push({path: 'lvs.kind', message: 'NAT is not built in this version of hapair: its real servers route replies through the director, which the steps do not set up', fix: 'use `kind: DR` (direct routing, seed 001)'})
  if (lvs.protocol === 'UDP') out.push({path: 'lvs.protocol', message: 'UDP is not built in this version of hapair: HTTP_GET and TCP_CHECK cannot check a UDP service', fix: 'use `protocol: TCP`'})
  const servers = realServers(c)
  // DR forwards the packet unchanged: it reaches the real server on the virtual service's port, whatever the pool says.
  const vport = typeof lvs.port === 'number' ? lvs.port : 80
  servers.forEach((s, i) => {
    if (lvs.kind !== 'NAT' && typeof s.port === 'number' && s.port !== vport) {
      out.push({path: `lvs.realServers[${i}].port`, message: `${s.port} differs from the virtual service's port ${vport}; direct routing cannot change the port`, fix: `make the service listen on ${vport} there and write \`port: ${vport}\` (or leave it out)`})
    }
  })
  if (servers.length > 0 && servers.every((s) => s.weight === 0)) {
    out.push({path: 'lvs.realServers', message: 'every real server has weight 0: IPVS would send no connection anywhere', fix: 'give at least one real server a weight of 1 or more (0 is for one being drained)'})
  }
  return out
}

/**
 * The down-file lowers the director's priority by -weight; the VIP moves only when that takes it
 * below the peer's and the peer preempts (keepalived.preempt). Otherwise `touch` would do nothing.
 */
function chkDownRules(c: LooseConfig): ConfigProblem[] {
  if (!c.lvs || typeof c.lvs !== 'object') return []
  const chk = c.lvs.chkDown
  if (chk?.enabled === false) return []
  const weight = typeof chk?.weight === 'number' ? chk.weight : -15
  const nodes = Array.isArray(c.nodes) ? c.nodes : []
  if (nodes.length !== 2) return []
  const prio = nodes.map((n, i) => (n && typeof n.priority === 'number' ? n.priority : DEFAULT_PRIORITIES[i]))
  const out: ConfigProblem[] = []
  if (c.keepalived?.preempt === false) {
    out.push({path: 'lvs.chkDown', message: 'the maintenance file cannot move the VIP under keepalived.preempt: false (a lower priority moves nothing without preemption)', fix: 'set `keepalived.preempt: true`, or `chkDown: { enabled: false }` (maintenance then stops keepalived)'})
  } else if (Math.max(...prio) + weight >= Math.min(...prio)) {
    const need = Math.min(...prio) - Math.max(...prio) - 1
    out.push({path: 'lvs.chkDown.weight', message: `${weight} lowers the preferred director from ${Math.max(...prio)} to ${Math.max(...prio) + weight}, not below its peer's ${Math.min(...prio)}: the maintenance file would not move the VIP`, fix: `use \`weight: ${need}\` or lower`})
  }
  return out
}
