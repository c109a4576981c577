/**
 * nfs.config: the exports hapair owns and the short NFSv4 lease/grace, on both nodes.
 * Only the node serving NFS reloads its exports; lease/grace apply at the next NFS start.
 */
import type {Change, Step} from '../../engine/step.js'
import {factSet} from '../../facts/fact.js'
import {fileFact, type FileInfo} from '../../facts/file.js'
import {exportfsFact, nfsConfFact, nfsStateFact, type ExportfsInfo, type NfsConfInfo, type NfsStateInfo} from '../../facts/nfs.js'
import {osFact, type OsInfo} from '../../facts/os.js'
import {isActive, servicesFact, type ServiceStates} from '../../facts/services.js'
import {EXPORTS_MODE, EXPORTS_PATH, renderExports} from '../../templates/exports.js'
import {NFS_CONF_DROPIN_PATH, NFS_CONF_MODE, NFS_CONF_PATH, renderNfsConfDropIn, withNfsConfBlock} from '../../templates/nfs-conf.js'
import {allFamilyUnits, serviceUnit} from '../../distro/services.js'
import {planFile} from '../common/plan-file.js'
import {familyOf} from '../../distro/family.js'
import {refuseUnservableNfs, requireNfs} from './sections.js'

export interface NfsConfigFacts {
  os: OsInfo
  exportsFile: FileInfo
  etcExports: FileInfo
  dropIn: FileInfo
  nfsConf: FileInfo
  conf: NfsConfInfo
  services: ServiceStates
  exportfs: ExportfsInfo
  state: NfsStateInfo
}

/** Paths /etc/exports itself exports (comments and blank lines skipped): a second definition of ours would fight it. */
export function pathsInExports(content: string | null): string[] {
  if (!content) return []
  return content
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => (l.startsWith('"') ? l.slice(1, l.indexOf('"', 1)) : l.split(/\s+/)[0]))
}

export const nfsConfigStep: Step<NfsConfigFacts> = {
  id: 'nfs.config',
  title: 'NFS exports and failover lease/grace times',
  facts: (ctx) =>
    factSet({
      os: osFact,
      exportsFile: fileFact(EXPORTS_PATH),
      etcExports: fileFact('/etc/exports'),
      dropIn: fileFact(NFS_CONF_DROPIN_PATH),
      nfsConf: fileFact(NFS_CONF_PATH),
      conf: nfsConfFact,
      services: servicesFact(allFamilyUnits(['nfs-server'])),
      exportfs: exportfsFact,
      state: nfsStateFact(requireNfs(ctx).filesystem.mountPoint),
    }),
  plan(ctx, facts) {
    const {nfs} = requireNfs(ctx)
    refuseUnservableNfs(ctx)
    const changes: Change[] = []
    const notes: string[] = []
    const exportsContent = renderExports(ctx.config)
    for (const node of ctx.nodes) {
      const f = facts[node.name]
      const family = familyOf(node, f.os, ctx.options.forceDistro)
      // Serving under HA control: running with the replicated state bound in. A server the package
      // started by itself is stopped by nfs.boot, not fed exports.
      const serving = isActive(f.services[serviceUnit('nfs-server', family)]) && f.state.stateBound

      const exportsChange = planFile(node.name, f.exportsFile, {path: EXPORTS_PATH, content: exportsContent, mode: EXPORTS_MODE})
      if (exportsChange) {
        changes.push(exportsChange)
        if (serving) {
          changes.push({kind: 'command', node: node.name, title: 'reload exports (NFS is serving on this node)', script: 'exportfs -ra', timeoutMs: 60_000})
        }
      } else notes.push(`${node.name}: ${EXPORTS_PATH} already up to date`)

      // A drop-in where nfs-utils reads them; else a marked block in nfs.conf itself.
      const confChange = f.conf.dropInDir
        ? planFile(node.name, f.dropIn, {path: NFS_CONF_DROPIN_PATH, content: renderNfsConfDropIn(ctx.config), mode: NFS_CONF_MODE})
        : planFile(node.name, f.nfsConf, {
            path: NFS_CONF_PATH,
            content: withNfsConfBlock(f.nfsConf.content, ctx.config),
            mode: f.nfsConf.mode ?? NFS_CONF_MODE,
          })
      if (confChange) {
        changes.push(confChange)
        // Restarting would open a new grace period and pause every client: not worth it for a tuning value.
        if (serving) notes.push(`${node.name}: NFSv4 lease/grace of ${nfs.leaseTime}/${nfs.graceTime} s apply at the next NFS start (next failover)`)
      } else notes.push(`${node.name}: NFSv4 lease/grace already ${nfs.leaseTime}/${nfs.graceTime} s`)

      const clash = pathsInExports(f.etcExports.content).filter((p) => nfs.exports.some((e) => e.path === p))
      if (clash.length) notes.push(`${node.name}: /etc/exports also exports ${clash.join(', ')}; remove it there so hapair's options are the only ones`)
    }
    return {changes, notes}
  },
  verify(ctx, facts) {
    const {nfs} = requireNfs(ctx)
    const problems: string[] = []
    for (const node of ctx.nodes) {
      const f = facts[node.name]
      if (f.conf.nfsconf && (f.conf.leaseTime !== nfs.leaseTime || f.conf.graceTime !== nfs.graceTime)) {
        problems.push(
          `${node.name}: nfsconf reports lease-time ${f.conf.leaseTime ?? 'unset'} / grace-time ${f.conf.graceTime ?? 'unset'}, not ${nfs.leaseTime}/${nfs.graceTime}: another nfs.conf setting overrides hapair's`,
        )
      }
      if (!isActive(f.services[serviceUnit('nfs-server', familyOf(node, f.os, ctx.options.forceDistro))]) || !f.state.stateBound) continue
      for (const exp of nfs.exports) {
        for (const client of exp.clients.trim().split(/\s+/)) {
          if (!f.exportfs.entries.some((e) => e.path === exp.path && e.client === client)) {
            problems.push(`${node.name}: NFS is serving but exportfs -v does not list ${exp.path} for ${client}`)
          }
        }
      }
    }
    return problems
  },
}
