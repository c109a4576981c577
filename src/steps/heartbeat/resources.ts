/**
 * heartbeat.resources: hapair's resource scripts for the group haresources names, on both nodes:
 * `hapair-fs` (the DRBD filesystem) always, `hapair-vip` when the stack floats the VIP. Written
 * before heartbeat.config, since heartbeat looks a resource up in resource.d by its name. Why
 * hapair's own and not IPaddr/Filesystem: templates/scripts/heartbeat-resources.ts.
 */
import type {Step} from '../../engine/step.js'
import {factSet} from '../../facts/fact.js'
import {fileFact, type FileInfo} from '../../facts/file.js'
import {osFact, type OsInfo} from '../../facts/os.js'
import {familyOf} from '../../distro/family.js'
import {FS_RESOURCE_PATH, VIP_RESOURCE_PATH, renderFsResourceScript, renderVipResourceScript} from '../../templates/scripts/heartbeat-resources.js'
import {planScript} from '../common/plan-file.js'
import {heartbeatStack} from './sections.js'

export interface HeartbeatResourcesFacts {
  os: OsInfo
  fs: FileInfo
  vip: FileInfo
}

export const heartbeatResourcesStep: Step<HeartbeatResourcesFacts> = {
  id: 'heartbeat.resources',
  title: 'heartbeat resource scripts for the VIP and the filesystem',
  facts: () => factSet({os: osFact, fs: fileFact(FS_RESOURCE_PATH), vip: fileFact(VIP_RESOURCE_PATH)}),
  plan(ctx, facts) {
    const {floatsVip} = heartbeatStack(ctx, 'heartbeat.resources')
    const notes: string[] = []
    const changes = ctx.nodes.flatMap((node) => {
      const f = facts[node.name]
      const family = familyOf(node, f.os, ctx.options.forceDistro)
      const mine = [
        planScript(node.name, f.fs, FS_RESOURCE_PATH, renderFsResourceScript(ctx.config, family)),
        floatsVip ? planScript(node.name, f.vip, VIP_RESOURCE_PATH, renderVipResourceScript(ctx.config, family)) : undefined,
      ].filter((c) => c !== undefined)
      if (mine.length === 0) notes.push(`${node.name}: ${floatsVip ? `${VIP_RESOURCE_PATH} and ` : ''}${FS_RESOURCE_PATH} up to date`)
      return mine
    })
    return {changes, notes}
  },
}
