/**
 * What filters incoming traffic on a node, and which tool manages it (firewalld on EL, ufw on
 * Ubuntu, plain nftables or iptables elsewhere). firewalld and ufw are read through their own tools,
 * whose rules hapair can judge port by port; anything else (hand-written nftables or iptables)
 * is only detected, because hapair cannot read arbitrary rule sets reliably.
 */
import {shq, type Fact} from '../facts/fact.js'

export interface FirewalldZone {
  target: string
  interfaces: string[]
  sources: string[]
  services: string[]
  /** As firewalld prints them: `7788/tcp`, `5405-5412/udp`. */
  ports: string[]
  protocols: string[]
  richRules: string[]
}

export interface FirewalldService {
  ports: string[]
  protocols: string[]
}

export interface FirewalldInfo {
  state: 'absent' | 'not running' | 'running'
  /** The zone of the cluster interface (its own, or the default zone). */
  zone: string | null
  /** What is in force now, and what survives a reload or reboot. */
  runtime: FirewalldZone | null
  permanent: FirewalldZone | null
  /** Definitions of the services the zone lists (runtime or permanent). */
  services: Record<string, FirewalldService>
}

export type UfwAction = 'ALLOW' | 'DENY' | 'REJECT' | 'LIMIT'

export interface UfwRule {
  /** As ufw prints them: `7788/tcp`, `2049`, `5404:5406/udp`, `Anywhere`, `224.0.0.18`, `22/tcp on eth0`. */
  to: string
  action: UfwAction
  direction: 'IN' | 'OUT' | 'FWD'
  from: string
  v6: boolean
}

export interface UfwInfo {
  installed: boolean
  active: boolean
  defaultIncoming: 'allow' | 'deny' | 'reject' | null
  /** In ufw's order; the first rule that matches a packet decides. */
  rules: UfwRule[]
  /** `-A ufw-before-input ... -p vrrp ...` lines in /etc/ufw/before.rules: the one way ufw lets VRRP in. */
  vrrpBeforeRules: string[]
}

export interface NftInfo {
  tool: 'nft' | 'iptables' | 'none'
  /** nftables tables as `family name` (e.g. `inet firewalld`); empty for iptables. */
  tables: string[]
  /** Some input chain drops or rejects traffic; null: the rule set could not be read. */
  filtering: boolean | null
  /** Which chains filter, or why the rule set could not be read. */
  detail: string
}

export type FirewallTool = 'firewalld' | 'ufw' | 'nftables' | 'iptables' | 'none'

/**
 * The tool whose rules decide: a running firewalld owns the rule set even where ufw is installed
 * too, an active ufw next; otherwise whatever nft or iptables shows.
 */
export function firewallTool(f: {firewalld: FirewalldInfo; ufw: UfwInfo; nft: NftInfo}): FirewallTool {
  if (f.firewalld.state === 'running') return 'firewalld'
  if (f.ufw.active) return 'ufw'
  return f.nft.tool === 'nft' ? 'nftables' : f.nft.tool
}

// ---------------------------------------------------------------- firewalld

export function firewalldFact(iface: string): Fact<FirewalldInfo> {
  return {
    command: `command -v firewall-cmd >/dev/null || { echo "state=absent"; exit 0; }
s=$(firewall-cmd --state 2>/dev/null); echo "state=\${s:-not running}"
[ "$s" = running ] || exit 0
z=$(firewall-cmd --get-zone-of-interface=${shq(iface)} 2>/dev/null) || z=$(firewall-cmd --get-default-zone)
echo "zone=$z"
echo "@runtime"; firewall-cmd --zone="$z" --list-all
echo "@permanent"; firewall-cmd --permanent --zone="$z" --list-all
for s in $( (firewall-cmd --zone="$z" --list-services; firewall-cmd --permanent --zone="$z" --list-services) | tr ' ' '\\n' | sort -u); do
  echo "@service $s"; firewall-cmd --info-service="$s" 2>/dev/null || firewall-cmd --permanent --info-service="$s"
done`,
    parse(stdout) {
      const head = /^state=(.*)$/m.exec(stdout)?.[1].trim()
      const state = head === 'absent' ? 'absent' : head === 'running' ? 'running' : 'not running'
      const info: FirewalldInfo = {state, zone: null, runtime: null, permanent: null, services: {}}
      if (state !== 'running') return info
      info.zone = /^zone=(.*)$/m.exec(stdout)?.[1].trim() || null
      for (const section of stdout.split(/^@/m).slice(1)) {
        const nl = section.indexOf('\n')
        const title = section.slice(0, nl < 0 ? undefined : nl).trim()
        const body = nl < 0 ? '' : section.slice(nl + 1)
        if (title === 'runtime') info.runtime = parseFirewalldZone(body)
        else if (title === 'permanent') info.permanent = parseFirewalldZone(body)
        else if (title.startsWith('service ')) {
          const fields = parseIndentedFields(body)
          info.services[title.slice(8)] = {ports: words(fields.ports), protocols: words(fields.protocols)}
        }
      }
      return info
    },
  }
}

/** `firewall-cmd --list-all`: `  key: value` lines; rich rules follow their key on tab-indented lines. */
export function parseFirewalldZone(text: string): FirewalldZone {
  const fields = parseIndentedFields(text)
  const richRules: string[] = []
  let inRich = false
  for (const line of text.split('\n')) {
    if (/^\s+rich rules:/.test(line)) inRich = true
    else if (inRich && /^\t+\S/.test(line)) richRules.push(line.trim())
    else if (/^ {2}\S/.test(line)) inRich = false
  }
  return {
    target: (fields.target ?? 'default').trim(),
    interfaces: words(fields.interfaces),
    sources: words(fields.sources),
    services: words(fields.services),
    ports: words(fields.ports),
    protocols: words(fields.protocols),
    richRules,
  }
}

function parseIndentedFields(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^ {2}([a-z-][a-z -]*):\s?(.*)$/.exec(line)
    if (m) out[m[1]] = m[2]
  }
  return out
}

const words = (v: string | undefined) => (v ?? '').trim().split(/\s+/).filter(Boolean)

// ---------------------------------------------------------------- ufw

export const ufwFact: Fact<UfwInfo> = {
  command: `command -v ufw >/dev/null || { echo "@absent"; exit 0; }
ufw status verbose 2>&1
echo "@before-rules"
grep -E '^-A [^ ]+ .*-p (vrrp|112)( |$)' /etc/ufw/before.rules 2>/dev/null; true`,
  parse(stdout) {
    if (stdout.trim() === '@absent') return {installed: false, active: false, defaultIncoming: null, rules: [], vrrpBeforeRules: []}
    const [status, before = ''] = stdout.split(/^@before-rules$/m)
    return {installed: true, ...parseUfwStatus(status), vrrpBeforeRules: before.split('\n').map((l) => l.trim()).filter(Boolean)}
  },
}

/** `ufw status verbose` */
export function parseUfwStatus(text: string): Omit<UfwInfo, 'installed' | 'vrrpBeforeRules'> {
  const active = /^Status:\s*active\b/m.test(text)
  const def = /^Default:\s*(allow|deny|reject) \(incoming\)/m.exec(text)?.[1] as UfwInfo['defaultIncoming'] | undefined
  const rules: UfwRule[] = []
  let inTable = false
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd()
    if (/^-+\s+-+\s+-+$/.test(line)) {
      inTable = true
      continue
    }
    if (!inTable || !line) continue
    const m = /^(.+?)\s+(ALLOW|DENY|REJECT|LIMIT)(?: (IN|OUT|FWD))?\s+(.+?)(?:\s+#.*)?$/.exec(line)
    if (!m) continue
    const v6 = /\(v6\)/.test(m[1]) || /\(v6\)/.test(m[4])
    rules.push({
      to: m[1].replace(/\s*\(v6\)/, '').trim(),
      action: m[2] as UfwAction,
      direction: (m[3] ?? 'IN') as UfwRule['direction'],
      from: m[4].replace(/\s*\(v6\)/, '').trim(),
      v6,
    })
  }
  return {active, defaultIncoming: active ? (def ?? null) : null, rules}
}

// ---------------------------------------------------------------- nftables / iptables

export const nftFact: Fact<NftInfo> = {
  command: `if command -v nft >/dev/null; then echo "@nft"; nft list ruleset 2>&1
elif command -v iptables >/dev/null; then echo "@iptables"; iptables -S 2>&1
else echo "@none"; fi`,
  parse(stdout, code) {
    const [first, ...rest] = stdout.split('\n')
    const body = rest.join('\n')
    if (first.trim() === '@nft') return code === 0 ? {tool: 'nft', tables: nftTables(body), ...nftFiltering(body)} : unreadable('nft', body)
    if (first.trim() === '@iptables') return code === 0 ? {tool: 'iptables', tables: [], ...iptablesFiltering(body)} : unreadable('iptables', body)
    return {tool: 'none', tables: [], filtering: false, detail: 'neither nft nor iptables is installed'}
  },
}

function unreadable(tool: 'nft' | 'iptables', body: string): NftInfo {
  return {tool, tables: [], filtering: null, detail: `could not read the rule set: ${body.trim().split('\n')[0] ?? ''}`}
}

export function nftTables(text: string): string[] {
  return [...text.matchAll(/^table (\S+ \S+) \{/gm)].map((m) => m[1])
}

/** Input-hook chains of `nft list ruleset` that drop: by policy or by a drop/reject rule. */
export function nftFiltering(text: string): {filtering: boolean; detail: string} {
  const filtering: string[] = []
  let table = ''
  let chain: {name: string; input: boolean; drops: boolean} | null = null
  const close = () => {
    if (chain?.input && chain.drops) filtering.push(`${table} chain ${chain.name}`)
    chain = null
  }
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    let m: RegExpExecArray | null
    if ((m = /^table (\S+ \S+) \{/.exec(line))) table = m[1]
    else if ((m = /^chain (\S+) \{/.exec(line))) {
      close()
      chain = {name: m[1], input: false, drops: false}
    } else if (chain) {
      if (/\btype filter hook input\b/.test(line)) {
        chain.input = true
        if (/\bpolicy drop\b/.test(line)) chain.drops = true
      } else if (/(^|\s)(drop|reject)(\s|$)/.test(line)) chain.drops = true
      else if (line === '}') close()
    }
  }
  close()
  return filtering.length
    ? {filtering: true, detail: `nftables drops incoming traffic in ${filtering.join(', ')}`}
    : {filtering: false, detail: 'no nftables input chain drops traffic'}
}

/** `iptables -S`: the INPUT policy and rules (a jump to another chain may filter: counted as filtering). */
export function iptablesFiltering(text: string): {filtering: boolean; detail: string} {
  const policy = /^-P INPUT (\S+)/m.exec(text)?.[1]
  const rules = text.split('\n').filter((l) => /^-A INPUT /.test(l) && !/ -j ACCEPT\s*$/.test(l))
  if (policy && policy !== 'ACCEPT') return {filtering: true, detail: `iptables INPUT policy is ${policy}`}
  if (rules.length) return {filtering: true, detail: `iptables INPUT has ${rules.length} rule(s) that are not plain ACCEPT`}
  return {filtering: false, detail: 'iptables INPUT accepts everything'}
}
