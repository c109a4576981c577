/**
 * DRBD split-brain recovery: a plan of node commands (pure, tested) that `hapair split-brain
 * recover` shows, confirms and runs. Detection is the cluster-state model's
 * (src/cluster-state/split-brain.ts); the choice of survivor is a person's.
 */
import type {ClusterConfig} from '../config/schema.js'
import {RefusalError, UsageError} from '../errors.js'
import {factSet, shq, type Fact, type FactSet} from '../facts/fact.js'
import {drbdPollFact, isStandAlone} from '../cluster-state/drbd.js'
import {mountedFact, splitBrainLogFact, unitActiveFact, vipHeldFact} from '../cluster-state/node-facts.js'
import {detectSplitBrain, type SplitBrainFacts} from '../cluster-state/split-brain.js'
import type {StackDescriptor} from '../stacks/types.js'
import {NFS_UNIT} from '../stacks/services/nfs.js'

/** What `split-brain recover` shows about each side before the choice. */
export interface SideFacts extends SplitBrainFacts {
  mounted: boolean
  vipHeld: boolean
  haActive: boolean
  /** `drbdadm get-gi` line: current:bitmap:history1:history2:... generation identifiers. */
  gi: string
  /** Newest files on the filesystem where it is mounted (`YYYY-MM-DD HH:MM path`). */
  recentFiles: string[]
}

const lines = (stdout: string) => stdout.split('\n').map((l) => l.trim()).filter(Boolean)

export function sideFactSet(config: ClusterConfig, haUnit: string): FactSet<SideFacts> {
  const mp = config.filesystem?.mountPoint ?? '/nonexistent'
  const gi: Fact<string> = {command: `drbdadm get-gi ${shq(config.drbd.resource)} 2>&1`, parse: (stdout) => stdout.trim()}
  const recent: Fact<string[]> = {
    // Bounded: a big filesystem must not stall the recovery; what is shown is a hint, not a diff.
    command: `awk -v mp=${shq(mp)} '$2 == mp {f=1} END {exit !f}' /proc/mounts || exit 0\ntimeout 15 find ${shq(mp)} -xdev -type f -printf '%TY-%Tm-%Td %TH:%TM %p\\n' 2>/dev/null | sort -r | head -n 5`,
    parse: lines,
  }
  return factSet({
    drbd: drbdPollFact(config.drbd.resource, config.drbd.device),
    kernelLog: splitBrainLogFact,
    mounted: mountedFact(mp),
    vipHeld: vipHeldFact(config.vip),
    haActive: unitActiveFact(haUnit),
    gi,
    recentFiles: recent,
  })
}

export interface RecoveryStep {
  node: string
  title: string
  script: string
}

export interface RecoveryPlan {
  survivor: string
  victim: string
  /** Steps up to reconnecting; the caller then waits for the resync before `after`. */
  steps: RecoveryStep[]
  /** Run once the resync has finished (the victim's disk is UpToDate again). */
  after: RecoveryStep[]
  destroys: string
  warnings: string[]
}

/** The choice made: keep `keep`'s data, discard the other node's changes since the split. */
export function planRecovery(config: ClusterConfig, stack: StackDescriptor, facts: Record<string, SideFacts | undefined>, keep: string): RecoveryPlan {
  const names = config.nodes.map((n) => n.name)
  if (!names.includes(keep)) throw new UsageError(`--keep ${keep}: no such node`, `nodes: ${names.join(', ')}`)
  const missing = names.filter((n) => !facts[n])
  if (missing.length) throw new RefusalError(`${missing.join(', ')} did not answer: recovery needs both nodes`, 'bring the node back first; nothing was changed')
  const finding = detectSplitBrain(Object.fromEntries(names.map((n) => [n, facts[n]])), config.drbd.resource)
  if (finding.state === 'none') throw new RefusalError(`no split brain to recover: ${finding.explanation}`)

  const victim = names.find((n) => n !== keep)!
  const s = facts[keep]!
  const v = facts[victim]!
  if (s.drbd?.disk !== 'UpToDate') {
    throw new RefusalError(
      `${keep}'s disk is ${s.drbd?.disk ?? 'unknown'}, not UpToDate: keeping it would sync incomplete data over ${victim}`,
      `keep ${victim} instead, or attach/repair ${keep}'s disk first`,
    )
  }
  const res = shq(config.drbd.resource)
  const mp = config.filesystem?.mountPoint
  const steps: RecoveryStep[] = []
  if (v.haActive) steps.push({node: victim, title: `stop ${stack.manager.haUnit} on ${victim} (it must not take the service during the resync)`, script: stack.manager.stopHa})
  if (v.mounted && mp) {
    // Stopping the manager just before may have released the mount already (heartbeat's
    // resource stop does): unmount only what is still mounted.
    steps.push({node: victim, title: `stop NFS and unmount ${mp} on ${victim}`, script: `systemctl stop ${NFS_UNIT} || true\nif grep -qs ${shq(` ${mp} `)} /proc/mounts; then umount ${shq(mp)}; fi`})
  }
  if (v.drbd?.role === 'Primary') steps.push({node: victim, title: `make ${victim} DRBD Secondary`, script: `drbdadm secondary ${res}`})
  steps.push({
    node: victim,
    title: `reconnect ${victim}, discarding its changes since the split`,
    script: `drbdadm disconnect ${res} 2>/dev/null || true\ndrbdadm connect --discard-my-data ${res}`,
  })
  if (isStandAlone(s.drbd)) steps.push({node: keep, title: `reconnect ${keep}`, script: `drbdadm connect ${res}`})

  const warnings: string[] = []
  if (!s.vipHeld || !s.mounted) {
    warnings.push(
      s.haActive
        ? `${keep} does not serve yet; its ${stack.manager.haUnit} should take over once ${victim}'s stops — check with \`hapair status\``
        : `${keep} does not serve and its ${stack.manager.haUnit} is stopped: start it (\`systemctl start ${stack.manager.haUnit}\` on ${keep}) so it takes the service`,
    )
  }
  const held = [v.drbd?.role === 'Primary' ? 'Primary' : 'Secondary', v.mounted ? `${mp} mounted` : 'not mounted', v.vipHeld ? 'holding the VIP' : '']
    .filter(Boolean)
    .join(', ')
  const recent = v.recentFiles.length ? `; newest files there: ${v.recentFiles.slice(0, 3).join('; ')}` : ''
  return {
    survivor: keep,
    victim,
    steps,
    // The pair is whole again only with its manager running on both nodes: one stopped for the
    // resync starts again, and so does one found stopped (heartbeat restarts itself once the
    // partition heals and can end up stopped; seen in the lab's isolate drill).
    after: [{node: victim, title: v.haActive ? `start ${stack.manager.haUnit} on ${victim} again` : `start ${stack.manager.haUnit} on ${victim} (it was not running)`, script: stack.manager.startHa}],
    destroys: `every change written on ${victim} since the nodes lost contact: DRBD ${config.drbd.resource} on ${victim} (${held}) is overwritten from ${keep}${recent}`,
    warnings,
  }
}
