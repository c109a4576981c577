/**
 * pacemaker.packages: corosync, pacemaker and the resource agents on both nodes, the cluster shell
 * the file asks for (`pacemaker.tools`; left out, crmsh on the apt family and pcs on the RHEL
 * family, which ships no crmsh), fence_ipmilan with ipmitool when fencing is configured, and
 * corosync-qdevice with a quorum device. Chosen per node from its distribution family.
 */
import type {Change, Step, StepContext} from '../../engine/step.js'
import type {PackageFamily} from '../../distro/family.js'
import {familyOf} from '../../distro/family.js'
import type {LogicalPackage} from '../../distro/packages.js'
import {factSet} from '../../facts/fact.js'
import {pacemakerManager} from '../../stacks/managers/pacemaker.js'
import {packageFacts, planPackages} from '../common/packages.js'
import {pacemakerSection} from './sections.js'

const ID = 'pacemaker.packages'
const ALL: LogicalPackage[] = [...pacemakerManager.packages, 'crmsh', 'pcs', 'fence-ipmilan', 'corosync-qdevice']

/** The logical packages a node of `family` needs for this cluster file. */
export function pacemakerPackages(ctx: StepContext, family: PackageFamily): LogicalPackage[] {
  const pm = pacemakerSection(ctx, ID)
  const tools = pm.tools ?? (family === 'apt' ? 'crmsh' : 'pcs')
  return [...pacemakerManager.packages, tools, ...(pm.fencing !== 'none' ? (['fence-ipmilan'] as const) : []), ...(pm.quorumDevice ? (['corosync-qdevice'] as const) : [])]
}

export const pacemakerPackagesStep: Step = {
  id: ID,
  title: 'corosync, pacemaker, resource agents, the cluster shell and the fence agent installed',
  // Every family's names are asked for: which apply is decided per node in the plan.
  facts: () => factSet(packageFacts(ALL)),
  plan(ctx, facts) {
    const changes: Change[] = []
    const notes: string[] = []
    for (const node of ctx.nodes) {
      const family = familyOf(node, facts[node.name].os, ctx.options.forceDistro)
      const plan = planPackages({...ctx, nodes: [node]}, facts, pacemakerPackages(ctx, family))
      changes.push(...plan.changes)
      notes.push(...plan.notes)
    }
    return {changes, notes}
  },
}
