/**
 * nfs.boot: the NFS server must not start by itself. Only the node holding the VIP serves, with
 * the DRBD filesystem mounted; a server started at boot (or by the package's postinst) on the
 * other node would export the empty mount-point directory of its root disk.
 */
import type {Change, Step} from '../../engine/step.js'
import {factSet} from '../../facts/fact.js'
import {nfsStateFact, type NfsStateInfo} from '../../facts/nfs.js'
import {osFact, type OsInfo} from '../../facts/os.js'
import {isActive, servicesFact, startsAtBoot, type ServiceStates} from '../../facts/services.js'
import {allFamilyUnits, serviceUnit} from '../../distro/services.js'
import {familyOf} from '../../distro/family.js'
import {stackOf} from '../../stacks/registry.js'
import {requireNfs} from './sections.js'

export interface NfsBootFacts {
  os: OsInfo
  services: ServiceStates
  state: NfsStateInfo
}

export const nfsBootStep: Step<NfsBootFacts> = {
  id: 'nfs.boot',
  title: 'NFS server left to the HA layer (not started at boot)',
  facts: (ctx) =>
    factSet({os: osFact, services: servicesFact(allFamilyUnits(['nfs-server'])), state: nfsStateFact(requireNfs(ctx).filesystem.mountPoint)}),
  plan(ctx, facts) {
    const changes: Change[] = []
    const notes: string[] = []
    const manager = stackOf(ctx.config).manager.haUnit
    for (const node of ctx.nodes) {
      const f = facts[node.name]
      const unit = serviceUnit('nfs-server', familyOf(node, f.os, ctx.options.forceDistro))
      const s = f.services[unit]
      if (s?.enabled === 'not-found') {
        notes.push(`${node.name}: no ${unit} unit (is nfs.packages done?)`)
        continue
      }
      if (s?.enabled === 'masked') {
        changes.push({kind: 'command', node: node.name, title: `unmask ${unit} (the HA layer must be able to start it)`, script: `systemctl unmask ${unit}\nsystemctl disable ${unit}`})
      } else if (startsAtBoot(s)) {
        changes.push({kind: 'command', node: node.name, title: `disable ${unit} at boot (${manager} starts it on the active node)`, script: `systemctl disable ${unit}`})
      }
      // Running without the replicated state bound in: started by the package or by hand, not by hapair's HA layer.
      if (isActive(s) && !f.state.stateBound) {
        changes.push({
          kind: 'command',
          node: node.name,
          title: `stop ${unit}: it runs outside HA control (${manager} starts it where the VIP is)`,
          script: `systemctl stop ${unit}`,
          timeoutMs: 120_000,
        })
      }
      if (!changes.some((c) => c.node === node.name)) {
        notes.push(`${node.name}: ${unit} not enabled at boot, ${isActive(s) ? 'running under HA control' : 'stopped'}`)
      }
    }
    return {changes, notes}
  },
}
