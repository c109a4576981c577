/**
 * What `hapair split-brain recover` does: read both sides, show them, let the user choose the
 * survivor (or take --keep), confirm with the text of what is lost, run the discard side and
 * reconnect, wait for the resync, then restart what was stopped.
 */
import {HapairError, ExitCode, UsageError} from '../errors.js'
import {withSession} from '../engine/session.js'
import type {Host} from '../transport/host.js'
import {mustRun} from '../transport/must-run.js'
import {describeDrbd, drbdPollFact, isHealthyPair} from '../cluster-state/drbd.js'
import {detectSplitBrain, type SplitBrainFinding} from '../cluster-state/split-brain.js'
import {planRecovery, sideFactSet, type RecoveryPlan, type SideFacts} from './split-brain.js'
import {stackOf} from '../stacks/registry.js'

export interface RecoverInput {
  configFile: string
  keep?: string
  yes: boolean
  interactive: boolean
  acceptNewHostKeys: boolean
  /** How long to wait for the resync before leaving the rest to the user. */
  waitMs: number
  print(line: string): void
  chooseSurvivor(sides: Record<string, SideFacts | undefined>): Promise<string>
  confirm(message: string): Promise<boolean>
}

export interface RecoverResult {
  finding: SplitBrainFinding
  sides: Record<string, SideFacts | undefined>
  plan?: RecoveryPlan
  recovered: boolean
  /** What is still to do (resync not finished in time, HA daemon to start). */
  remaining: string[]
}

export function describeSide(node: string, s: SideFacts | undefined): string {
  if (!s) return `${node}: did not answer`
  return [
    `${node}: ${describeDrbd(s.drbd)}`,
    `  generation ids (drbdadm get-gi): ${s.gi || '(none)'}`,
    `  ${s.mounted ? 'filesystem mounted' : 'filesystem not mounted'}, ${s.vipHeld ? 'holds the VIP' : 'no VIP'}, HA daemon ${s.haActive ? 'running' : 'stopped'}`,
    ...(s.recentFiles.length ? ['  newest files:', ...s.recentFiles.map((f) => `    ${f}`)] : s.mounted ? [] : ['  (not mounted: its changes cannot be listed without promoting it)']),
    ...s.kernelLog.map((l) => `  kernel: ${l}`),
  ].join('\n')
}

export async function recoverSplitBrain(input: RecoverInput): Promise<RecoverResult> {
  return withSession(
    {configFile: input.configFile, command: 'split-brain recover', acceptNewHostKeys: input.acceptNewHostKeys, interactive: input.interactive, lock: true},
    async (session) => {
      const {config} = session.cluster
      const stack = stackOf(config)
      const host = (n: string): Host => session.hosts.get(n)!
      const probe = sideFactSet(config, stack.manager.haUnit)
      const sides: Record<string, SideFacts | undefined> = {}
      await Promise.all(
        config.nodes.map(async (n) => {
          const r = await host(n.name).run(probe.script, {label: 'split-brain facts', timeoutMs: 30_000}).catch(() => undefined)
          sides[n.name] = r ? probe.parse(r.stdout) : undefined
        }),
      )
      const finding = detectSplitBrain(sides, config.drbd.resource)
      for (const n of config.nodes) input.print(describeSide(n.name, sides[n.name]))
      input.print(finding.explanation)
      if (finding.state === 'none') return {finding, sides, recovered: false, remaining: []}

      let keep = input.keep
      if (!keep) {
        if (!input.interactive) throw new UsageError('choose the node whose data survives', 'pass --keep NODE (the other node\'s changes since the split are discarded)')
        keep = await input.chooseSurvivor(sides)
      }
      const plan = planRecovery(config, stack, sides, keep)
      input.print(`keep ${plan.survivor}, discard ${plan.victim}'s changes. Steps:`)
      for (const s of [...plan.steps, ...plan.after]) input.print(`  ${s.node}: ${s.title}`)
      for (const w of plan.warnings) input.print(`warning: ${w}`)
      input.print(`destroys: ${plan.destroys}`)
      const ok = input.yes ? true : input.interactive ? await input.confirm(`Discard ${plan.victim}'s changes and resync it from ${plan.survivor}?`) : false
      if (!ok) {
        if (!input.interactive) throw new UsageError('recovering discards data: confirm with --yes (together with --keep NODE)')
        throw new HapairError('not confirmed; nothing was changed', ExitCode.stepFailed)
      }

      for (const step of plan.steps) {
        input.print(`${step.node}: ${step.title}`)
        await mustRun(host(step.node), step.script, {label: step.title, timeoutMs: 120_000})
      }
      // Wait for the resync: the victim is SyncTarget until its disk is UpToDate again.
      const drbdRead = drbdPollFact(config.drbd.resource, config.drbd.device)
      const deadline = Date.now() + input.waitMs
      let synced = false
      let last = ''
      while (Date.now() < deadline) {
        const r = await host(plan.victim).run(drbdRead.command, {label: 'DRBD state', timeoutMs: 10_000}).catch(() => undefined)
        const d = r ? drbdRead.parse(r.stdout, r.code) : null
        if (isHealthyPair(d)) {
          synced = true
          break
        }
        const now = describeDrbd(d) + (d?.outOfSyncKiB ? `, ${d.outOfSyncKiB} KiB to sync` : '')
        if (now !== last) input.print(`${plan.victim}: ${(last = now)}`)
        await new Promise((resolve) => setTimeout(resolve, 2000))
      }
      const remaining: string[] = []
      if (synced) {
        for (const step of plan.after) {
          input.print(`${step.node}: ${step.title}`)
          await mustRun(host(step.node), step.script, {label: step.title, timeoutMs: 120_000})
        }
      } else {
        remaining.push(`the resync has not finished: watch hapair status (or drbdadm status) on ${plan.victim}`, ...plan.after.map((s) => `then on ${s.node}: ${s.script.split('\n').at(-1)}`))
      }
      return {finding, sides, plan, recovered: synced, remaining: [...remaining, ...plan.warnings]}
    },
  )
}
