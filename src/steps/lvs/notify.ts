/**
 * lvs.notify: the directors' notify script (logs, and mails when configured, each VRRP
 * transition). Written before keepalived.config: `keepalived -t` refuses a config naming a
 * script that does not exist.
 */
import type {Change, Step} from '../../engine/step.js'
import {factSet} from '../../facts/fact.js'
import {fileFact, type FileInfo} from '../../facts/file.js'
import {renderLvsNotifyScript} from '../../templates/scripts/notify-lvs.js'
import {LVS_NOTIFY_SCRIPT_PATH} from '../../templates/scripts/paths.js'
import {planScript} from '../common/plan-file.js'

export interface LvsNotifyFacts {
  notify: FileInfo
}

export const lvsNotifyStep: Step<LvsNotifyFacts> = {
  id: 'lvs.notify',
  title: 'keepalived notify script of the directors',
  role: 'nodes',
  facts: () => factSet({notify: fileFact(LVS_NOTIFY_SCRIPT_PATH)}),
  plan(ctx, facts) {
    const changes: Change[] = []
    const notes: string[] = []
    for (const node of ctx.nodes) {
      const change = planScript(node.name, facts[node.name].notify, LVS_NOTIFY_SCRIPT_PATH, renderLvsNotifyScript(ctx.config))
      if (change) changes.push(change)
      else notes.push(`${node.name}: ${LVS_NOTIFY_SCRIPT_PATH} already up to date`)
    }
    return {changes, notes}
  },
}
