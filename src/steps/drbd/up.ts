/**
 * drbd.up: the resource running as configured on both nodes, and (except under pacemaker, which
 * manages DRBD itself) brought up again at boot by drbd.service.
 *
 * `drbdadm -d adjust` lists what adjust would do to make the kernel match the config: everything
 * (new-resource, attach, connect) for a resource that is down, only the difference for one that
 * runs with an older config, nothing when they match. So one command covers up and adjust, and an
 * empty dry run is the converged state the re-plan checks.
 */
import type {Change, Step} from '../../engine/step.js'
import {factSet, shq} from '../../facts/fact.js'
import {drbdAdjustFact, drbdFact, type DrbdFacts} from '../../facts/drbd.js'
import {servicesFact, startsAtBoot, type ServiceStates} from '../../facts/services.js'
import {kernelProblems, refuseIf, stateLine} from './common.js'
import {stackOf} from '../../stacks/registry.js'

type Facts = {drbd: DrbdFacts; adjust: {commands: string[]; error: string | null}; services: ServiceStates}

const UNIT = 'drbd.service'

export const drbdUp: Step<Facts> = {
  id: 'drbd.up',
  title: 'Bring DRBD up',
  facts: (ctx) =>
    factSet({
      drbd: drbdFact(ctx.config.drbd.resource, ctx.config.drbd.device),
      adjust: drbdAdjustFact(ctx.config.drbd.resource),
      services: servicesFact([UNIT]),
    }),
  plan(ctx, facts) {
    const res = ctx.config.drbd.resource
    const problems: string[] = []
    const notes: string[] = []
    const changes: Change[] = []
    const bootManaged = stackOf(ctx.config).manager.drbdUpAtBoot
    for (const node of ctx.nodes) {
      const {drbd, adjust, services} = facts[node.name]
      const kp = kernelProblems(node.name, drbd)
      if (kp.length) {
        problems.push(...kp)
        continue
      }
      if (adjust.error) {
        problems.push(
          /not defined in your config|no resources defined/i.test(adjust.error)
            ? `${node.name}: drbdadm does not know ${res} (run drbd.config first)`
            : `${node.name}: \`drbdadm -d adjust ${res}\` failed: ${adjust.error}`,
        )
        continue
      }
      if (adjust.commands.length === 0) notes.push(`${stateLine(node.name, drbd.state, res)} (running as configured)`)
      else if (!drbd.state) {
        changes.push({kind: 'command', node: node.name, title: `bring ${res} up (attach, listen for the peer)`, script: `drbdadm adjust ${shq(res)} </dev/null\n`})
      } else {
        const what = [...new Set(adjust.commands.map((c) => c.split(/\s+/).slice(0, 2).join(' ')))].join(', ')
        changes.push({kind: 'command', node: node.name, title: `adjust ${res} to its configuration (${what})`, script: `drbdadm adjust ${shq(res)} </dev/null\n`})
      }
      const unit = services[UNIT]
      if (!bootManaged) {
        if (startsAtBoot(unit)) notes.push(`${node.name}: ${UNIT} is enabled, but under ${stackOf(ctx.config).manager.title} the cluster manager starts DRBD itself; its steps handle it`)
      } else if (unit.enabled === 'not-found') {
        notes.push(`${node.name}: no ${UNIT} unit; ${res} will not come up by itself after a reboot`)
      } else if (!startsAtBoot(unit)) {
        changes.push({kind: 'command', node: node.name, title: `enable ${UNIT} (bring ${res} up at boot)`, script: `systemctl enable ${UNIT}\n`})
      }
    }
    refuseIf('drbd.up', problems)
    return {changes, notes}
  },
}
