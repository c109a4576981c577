/**
 * Pure: does the node's firewall let each of the stack's needs in? firewalld and ufw rules are
 * judged need by need (and repaired by --fix); other rule sets are only reported, since hapair
 * cannot tell what hand-written nftables or iptables rules let through.
 */
import {ipaddr} from '../config/net.js'
import type {ClusterConfig, NodeConfig} from '../config/schema.js'
import {shq} from '../facts/fact.js'
import type {PreflightFacts} from './facts.js'
import {firewallTool, type FirewalldService, type FirewalldZone, type UfwInfo, type UfwRule} from '../distro/firewall.js'
import {covers, firewallNeeds, needLabel, portText, VRRP_MULTICAST_GROUP, type FirewallNeed, type Source} from './ports.js'
import type {Finding} from './finding.js'
import {DRILL_NFT_TABLE as DRILL_TABLE} from '../facts/drill-firewall.js'

export function judgeFirewall(config: ClusterConfig, node: NodeConfig, facts: PreflightFacts): Finding[] {
  return [...leftoverDrill(node, facts), ...judgeRules(config, node, facts)]
}

/** A failover drill that was interrupted can leave its isolation table behind: the node stays cut off from its peer. */
function leftoverDrill(node: NodeConfig, facts: PreflightFacts): Finding[] {
  const table = `inet ${DRILL_TABLE}`
  if (!facts.nft.tables.includes(table)) return []
  return [finding(node, 'fail', `the nftables table ${table} of an interrupted failover drill is still in place and drops cluster traffic`, {fix: `nft delete table ${table}`})]
}

function judgeRules(config: ClusterConfig, node: NodeConfig, facts: PreflightFacts): Finding[] {
  // SSH is not judged: hapair is connected over it, so whatever rule lets it in works.
  const needs = firewallNeeds(config, node).filter((n) => n.from.kind !== 'admin')
  const tool = firewallTool(facts)
  if (tool === 'firewalld') return judgeFirewalld(node, needs, facts)
  if (tool === 'ufw') return judgeUfw(config, node, needs, facts.ufw)
  const {nft} = facts
  const list = needs.map(describeNeed).join('; ')
  if (nft.filtering === false) {
    return [finding(node, 'ok', `nothing filters incoming traffic (firewalld ${facts.firewalld.state}, ufw ${facts.ufw.installed ? 'inactive' : 'absent'}; ${nft.detail})`)]
  }
  return [
    finding(node, 'warn', `${nft.detail}: hapair cannot tell whether these get through: ${list}`, {
      fix: `check your ${nft.tool} rules accept them, or manage the firewall with firewalld or ufw so preflight can check and open them`,
    }),
  ]
}

function finding(node: NodeConfig, level: Finding['level'], message: string, extra: Partial<Finding> = {}): Finding {
  return {node: node.name, check: 'firewall', level, message, ...extra}
}

function describeNeed(need: FirewallNeed): string {
  const from = need.from.kind === 'peer' ? ` from ${need.from.address}` : need.from.kind === 'clients' ? ' from clients' : ''
  if (need.kind === 'protocol') return `${need.protocol.toUpperCase()} (${need.service}; IP protocol ${need.number}, not a port)${from}`
  return `${needLabel(need)} (${need.service}${from})`
}

const noteOf = (need: FirewallNeed) => (need.note ? ` — ${need.note}` : '')

// ---------------------------------------------------------------- firewalld

function judgeFirewalld(node: NodeConfig, needs: FirewallNeed[], facts: PreflightFacts): Finding[] {
  const fw = facts.firewalld
  // Zone names are words in practice; quote anything else before it goes into a command.
  const zone = /^[\w.-]+$/.test(fw.zone ?? 'public') ? (fw.zone ?? 'public') : shq(fw.zone!)
  if (!fw.runtime || !fw.permanent) return [finding(node, 'warn', `firewalld is running but its zone ${zone} could not be read`, {fix: `run \`firewall-cmd --zone=${zone} --list-all\` on ${node.name} to see why`})]
  const out: Finding[] = []
  const open: string[] = []
  const optional: Optional[] = []
  for (const need of needs) {
    const now = firewalldLets(fw.runtime, fw.services, need)
    const kept = firewalldLets(fw.permanent, fw.services, need)
    const arg = need.kind === 'protocol' ? `--add-protocol=${need.protocol}` : `--add-port=${portText(need.port, '-')}/${need.proto}`
    const cmd = (permanent: boolean) => `firewall-cmd ${permanent ? '--permanent ' : ''}--zone=${zone} ${arg}`
    if (now && kept) {
      open.push(needLabel(need))
      continue
    }
    const label = describeNeed(need)
    if (now) {
      out.push(finding(node, 'warn', `${label} is open in firewalld zone ${zone} now, but not in its permanent config: a reload or reboot closes it${noteOf(need)}`, {
        fix: cmd(true),
        fixable: true,
        repair: {kind: 'firewall', label: needLabel(need), commands: [cmd(true)]},
      }))
      continue
    }
    const commands = kept ? [cmd(false)] : [cmd(false), cmd(true)]
    if (!need.required) {
      optional.push({need, fix: arg})
      continue
    }
    const why = kept ? ' (it is in the permanent config, not yet in force)' : ''
    out.push(finding(node, 'fail', `firewalld zone ${zone} blocks ${label}${why}${noteOf(need)}`, {
      fix: commands.join(' && '),
      fixable: true,
      repair: {kind: 'firewall', label: needLabel(need), commands},
    }))
  }
  if (optional.length) {
    const args = optional.map((o) => o.fix).join(' ')
    out.push(optionalFinding(node, `firewalld zone ${zone}`, optional, `firewall-cmd --zone=${zone} ${args} && firewall-cmd --permanent --zone=${zone} ${args}`))
  }
  if (out.length === 0) out.push(finding(node, 'ok', `firewalld zone ${zone} lets in ${open.join(', ')}`))
  return out
}

/** A blocked need that only some set-ups use (NFSv3, pcs), with the command (or argument) that opens it. */
interface Optional {
  need: FirewallNeed
  fix: string
}

/**
 * Blocked optional needs, as ONE warning: they are left to the operator, because opening ports
 * nobody may use is not a "safe" repair.
 */
function optionalFinding(node: NodeConfig, where: string, optional: Optional[], fix: string): Finding {
  const labels = optional.map(({need}) => `${needLabel(need)} (${need.service})`)
  const notes = [...new Set(optional.flatMap(({need}) => (need.note ? need.note.split('; ') : [])))]
  return finding(node, 'warn', `${where} blocks ${labels.join(', ')}${notes.length ? ` — ${notes.join('; ')}` : ''}`, {
    fix: `if you need them: ${fix}`,
  })
}

/** Is `need` allowed by the zone's target, ports, protocols, services or rich rules? */
export function firewalldLets(zone: FirewalldZone, services: Record<string, FirewalldService>, need: FirewallNeed): boolean {
  if (zone.target === 'ACCEPT') return true
  const listed = (ports: string[], protocols: string[]) =>
    need.kind === 'protocol' ? protocols.some((p) => p === need.protocol || p === String(need.number)) : ports.some((p) => portMatches(p, need.port, need.proto))
  if (listed(zone.ports, zone.protocols)) return true
  if (zone.services.some((s) => services[s] && listed(services[s].ports, services[s].protocols))) return true
  return zone.richRules.some((rule) => richRuleLets(rule, need))
}

/** `7788/tcp` or `5405-5412/udp` covering the wanted port(s). */
function portMatches(spec: string, want: number | [number, number], proto: string): boolean {
  const m = /^(\d+)(?:-(\d+))?\/(\w+)$/.exec(spec)
  if (!m || m[3] !== proto) return false
  return covers([Number(m[1]), Number(m[2] ?? m[1])], want)
}

/** A rich rule that accepts the need: by port or protocol, from anywhere or from a source that holds the sender. */
export function richRuleLets(rule: string, need: FirewallNeed): boolean {
  if (!/\baccept\b/.test(rule) || /\bnot="?true"?\b|source\s+NOT\b/i.test(rule)) return false
  const source = /\bsource address="([^"]+)"/.exec(rule)?.[1]
  if (source && !sourceHolds(source, need.from)) return false
  if (need.kind === 'protocol') {
    const value = /\bprotocol value="([^"]+)"/.exec(rule)?.[1]
    return value === need.protocol || value === String(need.number)
  }
  const port = /\bport port="(\d+)(?:-(\d+))?" protocol="(\w+)"/.exec(rule)
  if (port) return port[3] === need.proto && covers([Number(port[1]), Number(port[2] ?? port[1])], need.port)
  // A rule with a source and no port or protocol element accepts everything from that source.
  return Boolean(source) && !/\b(port|protocol|service|icmp-block|icmp-type|forward-port)\b/.test(rule.replace(/\bsource address="[^"]+"/, ''))
}

/** A rule limited to `source` (an address or CIDR) lets the sender in: the peer must be inside it; client traffic is given the benefit of the doubt. */
function sourceHolds(source: string, from: Source): boolean {
  return from.kind !== 'peer' || inRange(from.address, source)
}

// ---------------------------------------------------------------- ufw

function judgeUfw(config: ClusterConfig, node: NodeConfig, needs: FirewallNeed[], ufw: UfwInfo): Finding[] {
  if (ufw.defaultIncoming === 'allow') return [finding(node, 'ok', 'ufw is active with incoming traffic allowed by default')]
  const out: Finding[] = []
  const open: string[] = []
  const optional: Optional[] = []
  const addresses = [node.address, node.replicationAddress, config.vip.address].filter((a): a is string => Boolean(a))
  for (const need of needs) {
    const verdict = ufwVerdict(ufw, need, addresses)
    if (verdict.open) {
      open.push(needLabel(need))
      continue
    }
    const label = describeNeed(need)
    if (verdict.rule) {
      // A DENY that comes first would also shadow an appended allow: reordering is the operator's call.
      out.push(finding(node, need.required ? 'fail' : 'warn', `ufw rule "${verdict.rule.to} ${verdict.rule.action} ${verdict.rule.from}" blocks ${label} before any rule could allow it${noteOf(need)}`, {
        fix: `delete or reorder that rule (ufw status numbered; ufw delete N), then: ${ufwAllow(need)}`,
      }))
    } else if (need.kind === 'protocol') {
      const peer = need.from.kind === 'peer' ? ` -s ${need.from.address}` : ''
      const dst = need.multicast ? ` -d ${need.group ?? VRRP_MULTICAST_GROUP}` : ''
      out.push(finding(node, 'fail', `ufw blocks ${label}: ufw has no "allow proto vrrp" rule, so VRRP must be let in through /etc/ufw/before.rules${noteOf(need)}`, {
        fix: `add "-A ufw-before-input -p vrrp${peer}${dst} -j ACCEPT" to /etc/ufw/before.rules before its COMMIT line, then \`ufw reload\``,
      }))
    } else if (!need.required) {
      optional.push({need, fix: ufwAllow(need)})
    } else {
      const command = ufwAllow(need)
      out.push(finding(node, 'fail', `ufw blocks ${label} (default incoming policy ${ufw.defaultIncoming ?? 'deny'})${noteOf(need)}`, {
        fix: command,
        fixable: true,
        repair: {kind: 'firewall', label: needLabel(need), commands: [command]},
      }))
    }
  }
  if (optional.length) out.push(optionalFinding(node, 'ufw', optional, optional.map((o) => o.fix).join(' && ')))
  if (out.length === 0) out.push(finding(node, 'ok', `ufw lets in ${open.join(', ')}`))
  return out
}

/** The ufw command that lets the need in: limited to the peer for peer traffic, to the export clients when they are a network. */
export function ufwAllow(need: FirewallNeed): string {
  if (need.kind === 'protocol') return '(no ufw command: see /etc/ufw/before.rules)'
  const source = need.from.kind === 'peer' ? need.from.address : need.from.kind === 'clients' && need.from.spec && isAddressOrCidr(need.from.spec) ? need.from.spec : 'any'
  return `ufw allow from ${source} to any port ${portText(need.port, ':')} proto ${need.proto} comment ${shq(`hapair: ${need.service}`)}`
}

function isAddressOrCidr(spec: string): boolean {
  try {
    if (spec.includes('/')) ipaddr.IPv4.parseCIDR(spec)
    else ipaddr.IPv4.parse(spec)
    return ipaddr.IPv4.isValidFourPartDecimal(spec.split('/')[0])
  } catch {
    return false
  }
}

/** ufw's first matching IPv4 inbound rule decides; /etc/ufw/before.rules is consulted before any of them. */
export function ufwVerdict(ufw: UfwInfo, need: FirewallNeed, ownAddresses: string[]): {open: boolean; rule?: UfwRule} {
  if (need.kind === 'protocol' && ufw.vrrpBeforeRules.length > 0) return {open: true}
  for (const rule of ufw.rules) {
    if (rule.v6 || rule.direction !== 'IN') continue
    if (!ufwRuleMatches(rule, need, ownAddresses)) continue
    return rule.action === 'ALLOW' || rule.action === 'LIMIT' ? {open: true, rule} : {open: false, rule}
  }
  return {open: false}
}

function ufwRuleMatches(rule: UfwRule, need: FirewallNeed, ownAddresses: string[]): boolean {
  // "To" is [ADDRESS] [PORTS[/PROTO]] [on IFACE]; "From" is Anywhere, an address or a network (with a port: a source-port rule).
  const to = rule.to.replace(/\s+on\s+\S+$/, '').trim()
  const from = rule.from.replace(/\s+on\s+\S+$/, '').trim()
  if (from !== 'Anywhere') {
    if (from.includes(' ')) return false // a source-port rule: not the traffic we need
    // Client addresses are unknown: a rule limited to some sources allows "clients" (benefit of
    // the doubt), but a DENY limited to some sources does not block them all.
    const allows = rule.action === 'ALLOW' || rule.action === 'LIMIT'
    if (need.from.kind !== 'peer' && !allows) return false
    if (!sourceHolds(from, need.from)) return false
  }
  const parts = to === 'Anywhere' ? [] : to.split(/\s+/)
  let address: string | undefined
  if (parts[0] && /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(parts[0])) address = parts.shift()
  const portSpec = parts[0]
  if (address) {
    const wanted = need.kind === 'protocol' && need.multicast ? [need.group ?? VRRP_MULTICAST_GROUP, ...ownAddresses] : ownAddresses
    if (!wanted.some((a) => inRange(a, address!))) return false
  }
  if (!portSpec) return true // every port and protocol
  if (need.kind === 'protocol') return false
  const m = /^([\d,:]+)(?:\/(\w+))?$/.exec(portSpec)
  if (!m || (m[2] && m[2] !== need.proto)) return false // an app profile (OpenSSH) or another protocol
  return m[1].split(',').some((p) => {
    const [lo, hi = lo] = p.split(':').map(Number)
    return covers([lo, hi], need.port)
  })
}

/** Is `address` the address `range`, or inside the network `range`? */
function inRange(address: string, range: string): boolean {
  try {
    const a = ipaddr.IPv4.parse(address)
    if (range.includes('/')) {
      const [net, bits] = ipaddr.IPv4.parseCIDR(range)
      return a.match(net, bits)
    }
    return ipaddr.IPv4.parse(range).toString() === a.toString()
  } catch {
    return false
  }
}
