/**
 * keepalived.scripts: the notify and check scripts keepalived runs, rendered per node for its
 * distro family (unit names). Written before keepalived.conf, whose validation (keepalived -t)
 * fails when a configured script does not exist.
 */
import type {Change, Step} from '../../engine/step.js'
import {factSet} from '../../facts/fact.js'
import {fileFact, type FileInfo} from '../../facts/file.js'
import {osFact, type OsInfo} from '../../facts/os.js'
import {renderCheckScript} from '../../templates/scripts/check-nfs.js'
import {renderNotifyScript} from '../../templates/scripts/notify.js'
import {CHECK_SCRIPT_PATH, NOTIFY_SCRIPT_PATH} from '../../templates/scripts/paths.js'
import {planScript} from '../common/plan-file.js'
import {familyOf} from '../../distro/family.js'
import {refuseUnservableNfs} from '../nfs/sections.js'

export interface KeepalivedScriptsFacts {
  os: OsInfo
  notify: FileInfo
  check: FileInfo
}

export const keepalivedScriptsStep: Step<KeepalivedScriptsFacts> = {
  id: 'keepalived.scripts',
  title: 'keepalived notify and NFS check scripts',
  facts: () => factSet({os: osFact, notify: fileFact(NOTIFY_SCRIPT_PATH), check: fileFact(CHECK_SCRIPT_PATH)}),
  plan(ctx, facts) {
    refuseUnservableNfs(ctx)
    const changes: Change[] = []
    const notes: string[] = []
    for (const node of ctx.nodes) {
      const f = facts[node.name]
      const family = familyOf(node, f.os, ctx.options.forceDistro)
      const wanted = [
        {path: NOTIFY_SCRIPT_PATH, content: renderNotifyScript(ctx.config, family), current: f.notify},
        {path: CHECK_SCRIPT_PATH, content: renderCheckScript(ctx.config, family), current: f.check},
      ]
      for (const w of wanted) {
        const change = planScript(node.name, w.current, w.path, w.content)
        if (change) changes.push(change)
        else notes.push(`${node.name}: ${w.path} already up to date`)
      }
    }
    return {changes, notes}
  },
}
