/**
 * heartbeat.nfs: what NFS needs under heartbeat (seed 004): the `hapair-nfs` resource script that
 * haresources names (seed's killnfsd done right) and the NFS monitor heartbeat lacks, a script run
 * by a systemd unit hapair owns, enabled and running on both nodes (it judges only the node where
 * heartbeat started hapair-nfs). Written before heartbeat.config: haresources names the script.
 */
import type {Change, Step} from '../../engine/step.js'
import {factSet} from '../../facts/fact.js'
import {fileFact, type FileInfo} from '../../facts/file.js'
import {osFact, type OsInfo} from '../../facts/os.js'
import {isActive, servicesFact, startsAtBoot, type ServiceStates} from '../../facts/services.js'
import {familyOf} from '../../distro/family.js'
import {
  NFS_MONITOR_PATH,
  NFS_MONITOR_UNIT,
  NFS_MONITOR_UNIT_PATH,
  NFS_RESOURCE_PATH,
  renderNfsMonitorScript,
  renderNfsMonitorUnit,
  renderNfsResourceScript,
} from '../../templates/scripts/heartbeat-nfs.js'
import {planFile, planScript} from '../common/plan-file.js'
import {refuseUnservableNfs} from '../nfs/sections.js'

export interface HeartbeatNfsFacts {
  os: OsInfo
  resource: FileInfo
  monitor: FileInfo
  unit: FileInfo
  services: ServiceStates
}

export const heartbeatNfsStep: Step<HeartbeatNfsFacts> = {
  id: 'heartbeat.nfs',
  title: 'heartbeat NFS resource script and NFS monitor',
  facts: () =>
    factSet({
      os: osFact,
      resource: fileFact(NFS_RESOURCE_PATH),
      monitor: fileFact(NFS_MONITOR_PATH),
      unit: fileFact(NFS_MONITOR_UNIT_PATH),
      services: servicesFact([NFS_MONITOR_UNIT]),
    }),
  plan(ctx, facts) {
    refuseUnservableNfs(ctx)
    const notes: string[] = []
    const changes = ctx.nodes.flatMap((node) => {
      const f = facts[node.name]
      const family = familyOf(node, f.os, ctx.options.forceDistro)
      const resource = planScript(node.name, f.resource, NFS_RESOURCE_PATH, renderNfsResourceScript(ctx.config, family))
      const monitor = planScript(node.name, f.monitor, NFS_MONITOR_PATH, renderNfsMonitorScript(ctx.config, family))
      const unit = planFile(node.name, f.unit, {path: NFS_MONITOR_UNIT_PATH, content: renderNfsMonitorUnit(ctx.config), mode: 0o644})
      const mine: Change[] = [resource, monitor, unit].filter((c) => c !== undefined)
      if (unit) mine.push({kind: 'command', node: node.name, title: 'systemctl daemon-reload (NFS monitor unit)', script: 'systemctl daemon-reload', timeoutMs: 60_000})
      const s = f.services[NFS_MONITOR_UNIT]
      if (!startsAtBoot(s)) mine.push({kind: 'command', node: node.name, title: `enable ${NFS_MONITOR_UNIT}`, script: `systemctl enable ${NFS_MONITOR_UNIT}`})
      // A running monitor keeps the old script in memory: restart it when the script or unit changed.
      if (!isActive(s) || monitor || unit) {
        mine.push({kind: 'command', node: node.name, title: `${isActive(s) ? 'restart' : 'start'} ${NFS_MONITOR_UNIT}`, script: `systemctl restart ${NFS_MONITOR_UNIT}`, timeoutMs: 60_000})
      }
      if (mine.length === 0) notes.push(`${node.name}: ${NFS_RESOURCE_PATH} and the NFS monitor up to date, monitor running`)
      return mine
    })
    return {changes, notes}
  },
  verify(ctx, facts) {
    return ctx.nodes.filter((n) => !isActive(facts[n.name].services[NFS_MONITOR_UNIT])).map((n) => `${n.name}: ${NFS_MONITOR_UNIT} is not running (journalctl -u ${NFS_MONITOR_UNIT})`)
  },
}
