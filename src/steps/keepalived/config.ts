/**
 * keepalived.config: keepalived.conf per node (holds the VRRP password: 0600, read and diffed with the password replaced by a marker),
 * checked with `keepalived -t` before it replaces the old one, plus the systemd drop-in that lets
 * notify_stop finish. A running keepalived reloads the new configuration.
 */
import type {Change, Step} from '../../engine/step.js'
import {factSet} from '../../facts/fact.js'
import {fileFact, type FileInfo} from '../../facts/file.js'
import {isActive, servicesFact, type ServiceStates} from '../../facts/services.js'
import {
  KEEPALIVED_CONF_MODE,
  KEEPALIVED_CONF_PATH,
  KEEPALIVED_DROPIN_MODE,
  KEEPALIVED_DROPIN_PATH,
  KEEPALIVED_SECRET_KEYS,
  KEEPALIVED_VALIDATE,
  renderKeepalivedConf,
} from '../../templates/keepalived.js'
import {nodePriorities} from '../../stacks/preferred-node.js'
import {stackOf} from '../../stacks/registry.js'
import {RefusalError} from '../../errors.js'
import {allFamilyUnits} from '../../distro/services.js'
import {planFile} from '../common/plan-file.js'
import {requireKeepalived} from './sections.js'

export interface KeepalivedConfigFacts {
  conf: FileInfo
  dropIn: FileInfo
  services: ServiceStates
}

const UNIT = 'keepalived'

export const keepalivedConfigStep: Step<KeepalivedConfigFacts> = {
  id: 'keepalived.config',
  title: 'keepalived configuration (VRRP instance, VIP, checks, notify scripts)',
  facts: () => factSet({conf: fileFact(KEEPALIVED_CONF_PATH, {secretKeys: KEEPALIVED_SECRET_KEYS}), dropIn: fileFact(KEEPALIVED_DROPIN_PATH), services: servicesFact(allFamilyUnits(['keepalived']))}),
  plan(ctx, facts) {
    const ka = requireKeepalived(ctx)
    const changes: Change[] = []
    const notes: string[] = []
    const stack = stackOf(ctx.config)
    if (!stack.keepalived) throw new RefusalError(`keepalived.config: the ${stack.title} stack does not run keepalived`, `its runbook is ${stack.runbook}`)
    const {parts, dropIn: renderDropIn} = stack.keepalived
    const prio = nodePriorities(ctx.config)
    const [a, b] = ctx.nodes
    if (a && b && prio[a.name] === prio[b.name]) {
      notes.push(`${a.name} and ${b.name} have the same priority ${prio[a.name]}: VRRP breaks the tie by the higher IP address, not by node order`)
    }
    for (const node of ctx.nodes) {
      const f = facts[node.name]
      const running = isActive(f.services[UNIT])
      const conf = planFile(node.name, f.conf, {
        path: KEEPALIVED_CONF_PATH,
        content: renderKeepalivedConf(ctx.config, ctx.secrets, node, parts(ctx.config)),
        mode: KEEPALIVED_CONF_MODE,
        secretKeys: KEEPALIVED_SECRET_KEYS,
        validate: KEEPALIVED_VALIDATE,
      })
      const dropIn = renderDropIn ? planFile(node.name, f.dropIn, {path: KEEPALIVED_DROPIN_PATH, content: renderDropIn(), mode: KEEPALIVED_DROPIN_MODE}) : undefined
      // Each file carries what must follow it, in the same remote script (FileChange.then).
      // SIGHUP re-reads the file; VRRP state is kept when the instance itself is unchanged.
      if (conf) changes.push(running ? {...conf, then: {title: 'reload keepalived (new configuration)', script: `systemctl reload ${UNIT}`}} : conf)
      if (dropIn) changes.push({...dropIn, then: {title: 'systemctl daemon-reload (keepalived drop-in)', script: 'systemctl daemon-reload'}})
      if (!conf && !dropIn) {
        notes.push(`${node.name}: keepalived.conf up to date (priority ${prio[node.name]}, ${ka.preempt ? 'preempt' : 'nopreempt'}, ${ka.unicast ? 'unicast' : 'multicast'})`)
      }
    }
    return {changes, notes}
  },
}
