/**
 * heartbeat.packages: heartbeat and the resource agents its haresources use (IPaddr2, Filesystem;
 * the manager descriptor's list), and `drbddisk`, which ships with drbd-utils on some versions
 * (Debian 12's 9.22) and not others: where it is missing, hapair writes its own and owns it from
 * then on (a file carrying hapair's mark is rewritten; one from a package is left alone). On the
 * RHEL family, which ships no heartbeat, the step refuses and points to the pacemaker stack.
 */
import type {Step} from '../../engine/step.js'
import {factSet} from '../../facts/fact.js'
import {fileFact} from '../../facts/file.js'
import {heartbeatManager} from '../../stacks/managers/heartbeat.js'
import {RESOURCE_D} from '../../templates/heartbeat.js'
import {DRBDDISK_MARK, renderDrbddisk} from '../../templates/scripts/drbddisk.js'
import {packageFacts, planPackages} from '../common/packages.js'
import {planScript} from '../common/plan-file.js'

export const DRBDDISK_PATH = `${RESOURCE_D}/drbddisk`

export const heartbeatPackagesStep: Step = {
  id: 'heartbeat.packages',
  title: 'heartbeat, its resource agents and drbddisk installed',
  facts: () => factSet({...packageFacts(heartbeatManager.packages), drbddisk: fileFact(DRBDDISK_PATH)}),
  plan(ctx, facts) {
    const {changes, notes} = planPackages(ctx, facts, heartbeatManager.packages)
    for (const node of ctx.nodes) {
      const {drbddisk} = facts[node.name]
      if (drbddisk.exists && !drbddisk.content?.includes(DRBDDISK_MARK)) {
        notes.push(`${node.name}: ${DRBDDISK_PATH} comes from drbd-utils; hapair leaves it alone`)
        continue
      }
      // drbd-utils came with drbd-init, before these facts were read: a missing file stays missing.
      const own = planScript(node.name, drbddisk, DRBDDISK_PATH, renderDrbddisk())
      if (own) changes.push(own)
      else notes.push(`${node.name}: hapair's ${DRBDDISK_PATH} up to date`)
    }
    return {changes, notes}
  },
}
