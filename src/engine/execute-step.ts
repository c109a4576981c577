/**
 * One step, renderer-agnostic: facts on every node (prefetched with other steps' by the runner,
 * or in parallel, one call each), plan, apply, then verify by reading the facts again (always a
 * fresh read) and planning again: a converged step plans nothing.
 */
import {maskEncoded} from '../state/secret-encodings.js'
import {RefusalError, RemoteCommandError, VerifyError, HapairError} from '../errors.js'
import type {NodeConfig} from '../config/schema.js'
import {hostsOf} from '../config/hosts.js'
import type {Host} from '../transport/host.js'
import type {NodeRecord, StepRecord} from '../state/state-file.js'
import {applyChange} from './apply-change.js'
import {redact} from './redact.js'
import {describeChange} from './render-plan.js'
import type {Prefetched} from './prefetch.js'
import type {Change, Plan, Step, StepContext} from './step.js'

export interface StepHooks {
  /** Short status of the step ("reading facts", "applying 3 changes"). */
  phase(text: string): void
  /** Runs each node's apply function, in parallel or one after another; a renderer shows them as subtasks. */
  applyNodes(nodes: string[], sequential: boolean, apply: (node: string, progress: (line: string) => void) => Promise<void>): Promise<void>
  /** Asks before a change that destroys data; false stops the step with nothing more changed. */
  confirmDestroy(change: Change & {destroys: string}): Promise<boolean>
  signal: AbortSignal
  /** Secret values, kept out of recorded facts. */
  secrets: string[]
}

export interface StepResult {
  record: StepRecord
  plan: Plan
}

/** The hosts a step reads and acts on: its own choice, else its role's hosts (the cluster nodes by default). */
export function stepNodes(step: Step, ctx: StepContext): NodeConfig[] {
  if (step.nodes) return step.nodes(ctx)
  return step.role && step.role !== 'nodes' ? hostsOf(ctx.config, step.role) : ctx.nodes
}

/** Every node's facts: a node's prefetched output when there is one (see prefetch.ts), else one call. */
export async function gatherFacts<F>(step: Step<F>, ctx: StepContext, hosts: Map<string, Host>, prefetched?: Prefetched): Promise<Record<string, F>> {
  const nodes = stepNodes(step, ctx)
  const entries = await Promise.all(
    nodes.map(async (node) => {
      const host = hosts.get(node.name)
      if (!host) throw new HapairError(`no connection to ${node.name}`, 1)
      const set = step.facts(ctx, node)
      const early = prefetched?.get(node.name) // only parts that exited 0 are kept
      const result = early ? {...early, stderr: ''} : await host.run(set.script, {label: `${step.id} facts`})
      if (result.code !== 0) throw new RemoteCommandError(node.name, `${step.id} facts`, result.code, result.stdout, result.stderr, step.id)
      return [node.name, set.parse(result.stdout)] as const
    }),
  )
  return Object.fromEntries(entries) as Record<string, F>
}

export async function executeStep(step: Step, ctx: StepContext, hosts: Map<string, Host>, hooks: StepHooks, prefetched?: Prefetched): Promise<StepResult> {
  const started = Date.now()
  const record: StepRecord = {id: step.id, title: step.title, status: 'unchanged', startedAt: new Date(started).toISOString(), durationMs: 0, notes: [], planned: [], nodes: {}}
  const nodeRecord = (name: string): NodeRecord => (record.nodes[name] ??= {changes: []})
  const finish = () => {
    record.durationMs = Date.now() - started
  }
  try {
    hooks.phase('reading facts')
    const facts = await gatherFacts(step, ctx, hosts, prefetched)
    for (const [name, f] of Object.entries(facts)) nodeRecord(name).facts = redact(f, hooks.secrets)
    const plan = limitPlan(step, ctx, step.plan(ctx, facts))
    record.notes = plan.notes
    record.planned = plan.changes.map(describeChange)
    if (plan.changes.length === 0 || ctx.options.dryRun) {
      record.status = plan.changes.length === 0 ? 'unchanged' : 'planned'
      finish()
      return {record, plan}
    }
    guardDestructive(plan.changes, ctx)
    record.status = 'changed'
    hooks.phase(`applying ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'}`)
    const byNode = groupByNode(plan.changes, stepNodes(step, ctx))
    await hooks.applyNodes([...byNode.keys()], Boolean(step.sequential), async (node, progress) => {
      const host = hosts.get(node)!
      for (const change of byNode.get(node)!) {
        if (hooks.signal.aborted) throw new HapairError('interrupted', 130)
        if (change.kind === 'command' && change.destroys && !(await hooks.confirmDestroy(change as Change & {destroys: string}))) {
          throw new RefusalError(`${node}: not confirmed; nothing destroyed`, 'run again and confirm, or leave the data alone')
        }
        progress(change.title)
        try {
          nodeRecord(node).changes.push(await applyChange(host, change, {progress, signal: hooks.signal}))
        } catch (error) {
          if (error instanceof RemoteCommandError) throw error.withStep(step.id)
          throw error
        }
      }
    })
    hooks.phase('verifying')
    const after = await gatherFacts(step, ctx, hosts)
    const again = limitPlan(step, ctx, step.plan(ctx, after), true)
    const problems = [
      ...again.changes.map((c) => `still differs: ${describeChange(c).split('\n')[0]}`),
      ...(step.verify ? step.verify(ctx, after) : []),
    ]
    if (problems.length > 0) throw new VerifyError(`${step.id}: applied, but verification found:\n  ${problems.join('\n  ')}`)
    finish()
    return {record, plan}
  } catch (error) {
    record.status = hooks.signal.aborted ? 'interrupted' : 'failed'
    // A validator quoting the line it refused (drbdadm, keepalived -t) may quote a secret: the
    // message goes to stderr, --json and the state file, so it is masked once, here.
    if (error instanceof Error) error.message = maskEncoded(error.message, hooks.secrets)
    record.error = error instanceof Error ? error.message : maskEncoded(String(error), hooks.secrets)
    finish()
    throw Object.assign(error as object, {stepRecord: record})
  }
}

/**
 * `--limit NODE`: only that node's changes are applied; the others are named in a note (and
 * planned again on a run without --limit). A pairwise step that would change anything refuses.
 */
export function limitPlan(step: Step, ctx: StepContext, plan: Plan, quiet = false): Plan {
  const limit = ctx.options.limit
  if (!limit || plan.changes.length === 0) return plan
  if (step.pairwise) {
    throw new RefusalError(
      `${step.id} cannot run with --limit ${limit}: ${step.pairwise}; it has ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'} to make (${[...new Set(plan.changes.map((c) => c.node))].join(', ')})`,
      'run it without --limit, with both nodes reachable (or leave it out with --only/--from)',
    )
  }
  const kept = plan.changes.filter((c) => c.node === limit)
  const left = plan.changes.filter((c) => c.node !== limit)
  if (left.length === 0 || quiet) return {...plan, changes: kept}
  const nodes = [...new Set(left.map((c) => c.node))].join(', ')
  return {changes: kept, notes: [...plan.notes, `--limit ${limit}: ${left.length} change${left.length === 1 ? '' : 's'} on ${nodes} left out (${left.map((c) => c.title).join('; ')})`]}
}

/** Defense in depth: a step may only plan data-destroying changes when the user passed --wipe. */
function guardDestructive(changes: Change[], ctx: StepContext): void {
  const destroying = changes.filter((c) => c.kind === 'command' && c.destroys)
  if (destroying.length > 0 && !ctx.options.wipe) {
    throw new RefusalError(
      `refusing to destroy data without --wipe:\n  ${destroying.map((c) => `${c.node}: ${(c as {destroys: string}).destroys}`).join('\n  ')}`,
      'check what is listed, then run again with --wipe if it may be lost',
    )
  }
}

function groupByNode(changes: Change[], nodes: NodeConfig[]): Map<string, Change[]> {
  const map = new Map<string, Change[]>()
  for (const node of nodes) {
    const mine = changes.filter((c) => c.node === node.name)
    if (mine.length) map.set(node.name, mine)
  }
  const unknown = changes.filter((c) => !nodes.some((n) => n.name === c.node))
  if (unknown.length) throw new HapairError(`planned change for unknown node ${unknown[0].node}`, 1)
  return map
}
