/**
 * Pure: the repairs `hapair preflight --fix` may make, as engine Changes (so --dry-run shows
 * them like any plan and they apply like any step's). Only what is safe: /etc/hosts entries in
 * hapair's own block, firewall openings the stack needs, switching time sync on. One change per
 * node and kind, in that order.
 */
import type {ClusterConfig} from '../config/schema.js'
import type {Change} from '../engine/step.js'
import type {NodeFacts} from './evaluate.js'
import {isUnreachable} from './evaluate.js'
import {HOSTS_FILE} from './facts.js'
import type {Finding} from './finding.js'
import {withHostsBlock} from './hosts-block.js'

export function planFixes(config: ClusterConfig, findings: Finding[], factsByNode: Record<string, NodeFacts>): Change[] {
  const changes: Change[] = []
  for (const node of config.nodes) {
    const facts = factsByNode[node.name]
    if (isUnreachable(facts)) continue
    const repairs = findings.filter((f) => f.node === node.name && f.fixable && f.repair).map((f) => f.repair!)

    if (repairs.some((r) => r.kind === 'hosts')) {
      const before = facts.hosts.content
      const content = withHostsBlock(before, config)
      if (content !== before) {
        changes.push({kind: 'file', node: node.name, title: 'add the node names to /etc/hosts', path: HOSTS_FILE, content, mode: facts.hosts.mode ?? 0o644, before})
      }
    }

    const firewall = repairs.flatMap((r) => (r.kind === 'firewall' ? [r] : []))
    if (firewall.length > 0) {
      changes.push({
        kind: 'command',
        node: node.name,
        title: `open in the firewall: ${firewall.map((r) => r.label).join(', ')}`,
        script: `${firewall.flatMap((r) => r.commands).join('\n')}\n`,
      })
    }

    const time = repairs.find((r) => r.kind === 'timesync')
    if (time?.kind === 'timesync') changes.push({kind: 'command', node: node.name, title: time.title, script: `${time.script}\n`})
  }
  return changes
}
