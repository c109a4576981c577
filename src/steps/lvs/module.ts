/**
 * lvs.module: the ip_vs kernel module loaded on each director now and at every boot
 * (/etc/modules-load.d), so keepalived can build the virtual server as soon as it starts.
 */
import type {Change, Step} from '../../engine/step.js'
import {factSet} from '../../facts/fact.js'
import {fileFact, type FileInfo} from '../../facts/file.js'
import {ipVsModuleFact} from '../../facts/ipvs.js'
import {MODULES_LOAD_PATH, PLAIN_FILE_MODE, renderModulesLoad} from '../../templates/lvs-hosts.js'
import {planFile} from '../common/plan-file.js'

export interface LvsModuleFacts {
  loaded: boolean
  modulesLoad: FileInfo
}

export const lvsModuleStep: Step<LvsModuleFacts> = {
  id: 'lvs.module',
  title: 'ip_vs kernel module loaded and loaded at boot on the directors',
  role: 'nodes',
  facts: () => factSet({loaded: ipVsModuleFact, modulesLoad: fileFact(MODULES_LOAD_PATH)}),
  plan(ctx, facts) {
    const changes: Change[] = []
    const notes: string[] = []
    for (const node of ctx.nodes) {
      const f = facts[node.name]
      const file = planFile(node.name, f.modulesLoad, {path: MODULES_LOAD_PATH, content: renderModulesLoad(), mode: PLAIN_FILE_MODE})
      if (file) changes.push(file)
      if (!f.loaded) changes.push({kind: 'command', node: node.name, title: 'load ip_vs', script: 'modprobe ip_vs', timeoutMs: 60_000})
      if (!file && f.loaded) notes.push(`${node.name}: ip_vs loaded, and listed in ${MODULES_LOAD_PATH}`)
    }
    return {changes, notes}
  },
}
