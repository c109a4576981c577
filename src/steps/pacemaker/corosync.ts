/**
 * pacemaker.corosync: /etc/corosync/corosync.conf, identical on both nodes. A running corosync
 * re-reads it with `corosync-cfgtool -R`, which takes the nodelist, the token and logging; the
 * cluster name, transport, crypto, IP version and link layout are read only at start, and the
 * step says so instead of restarting a running cluster under its resources.
 */
import type {Change, Step} from '../../engine/step.js'
import {factSet} from '../../facts/fact.js'
import {fileFact, type FileInfo} from '../../facts/file.js'
import {isActive, servicesFact, type ServiceStates} from '../../facts/services.js'
import {COROSYNC_CONF_MODE, COROSYNC_CONF_PATH, renderCorosyncConf} from '../../templates/corosync.js'
import {planFile} from '../common/plan-file.js'
import {pacemakerSection} from './sections.js'

const ID = 'pacemaker.corosync'

export interface CorosyncConfigFacts {
  conf: FileInfo
  services: ServiceStates
}

/** Keys corosync reads only when it starts (corosync.conf(5), "reload"): a change to one needs a restart. */
const START_ONLY = ['cluster_name', 'transport', 'crypto_cipher', 'crypto_hash', 'ip_version', 'linknumber', 'mcastport', 'ring0_addr', 'ring1_addr', 'model']

/** The start-only keys whose values differ between two corosync.conf texts. */
export function restartOnlyChanges(before: string | null, after: string): string[] {
  if (before === null) return []
  const values = (text: string, key: string) => [...text.matchAll(new RegExp(`^\\s*${key}:\\s*(\\S+)`, 'gm'))].map((m) => m[1]).join(',')
  return START_ONLY.filter((k) => values(before, k) !== values(after, k))
}

export const corosyncConfigStep: Step<CorosyncConfigFacts> = {
  id: ID,
  title: 'corosync.conf on both nodes (knet, crypto, nodelist, quorum)',
  facts: () => factSet({conf: fileFact(COROSYNC_CONF_PATH), services: servicesFact(['corosync'])}),
  plan(ctx, facts) {
    const pm = pacemakerSection(ctx, ID)
    const content = renderCorosyncConf(ctx.config, pm)
    const changes: Change[] = []
    const notes: string[] = []
    for (const node of ctx.nodes) {
      const f = facts[node.name]
      const file = planFile(node.name, f.conf, {path: COROSYNC_CONF_PATH, content, mode: COROSYNC_CONF_MODE, validate: 'corosync -t -c {} >/dev/null 2>&1 || { corosync -t -c {}; exit 1; }'})
      if (!file) {
        notes.push(`${node.name}: corosync.conf up to date (${pm.transport}, token ${pm.token} ms, ${pm.quorumDevice ? `quorum device ${pm.quorumDevice.host}` : 'two_node'})`)
        continue
      }
      changes.push(file)
      if (!isActive(f.services.corosync)) continue
      const restart = restartOnlyChanges(f.conf.content, content)
      changes.push({kind: 'command', node: node.name, title: 'corosync re-reads corosync.conf (corosync-cfgtool -R)', script: 'corosync-cfgtool -R', timeoutMs: 60_000})
      if (restart.length) {
        notes.push(`${node.name}: ${restart.join(', ')} changed: corosync reads ${restart.length === 1 ? 'it' : 'them'} only at start; restart the cluster on this node when it may move its resources (crm cluster restart / pcs cluster stop && pcs cluster start)`)
      }
    }
    return {changes, notes}
  },
}
