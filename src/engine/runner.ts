/**
 * Runs a list of steps as a listr2 task list (one task per step, one subtask per node while
 * applying) and records each step in the state file as soon as it ends.
 */
import {Listr, PRESET_TIMESTAMP, type ListrTaskWrapper} from 'listr2'
import {ListrInquirerPromptAdapter} from '@listr2/prompt-adapter-inquirer'
import {input as inputPrompt} from '@inquirer/prompts'
import type {Host} from '../transport/host.js'
import type {RunRecord, StateFile, StepRecord} from '../state/state-file.js'
import {HapairError, InterruptedError} from '../errors.js'
import {executeStep, type StepHooks} from './execute-step.js'
import {FactPrefetch} from './prefetch.js'
import {nodeOutput, nodeTitle, type RendererChoice} from './renderer.js'
import type {RunbookEntry} from './runbook.js'
import type {Plan, StepContext} from './step.js'

export interface RunInput {
  entries: RunbookEntry[]
  ctx: Omit<StepContext, 'params'>
  hosts: Map<string, Host>
  state: StateFile
  run: RunRecord
  renderer: RendererChoice
  secrets: string[]
  signal: AbortSignal
}

export interface StepSummary {
  id: string
  title: string
  status: StepRecord['status']
  notes: string[]
  planned: string[]
  durationMs: number
  error?: string
}

export interface RunSummary {
  status: RunRecord['status']
  changed: number
  unchanged: number
  planned: number
  steps: StepSummary[]
  /** Remote calls per node during the steps (facts reads, changes, verification): 1 when nothing changed. */
  roundTrips: Record<string, number>
  error?: {message: string; exitCode: number}
}

const summarize = (r: StepRecord): StepSummary => ({
  id: r.id,
  title: r.title,
  status: r.status,
  notes: r.notes,
  planned: r.planned,
  durationMs: r.durationMs,
  ...(r.error ? {error: r.error} : {}),
})

export async function runSteps(input: RunInput): Promise<RunSummary> {
  const {ctx, state, run, signal} = input
  // Every step's facts in one round trip per node; after a change the later steps read theirs
  // again, up to the next one their stale facts predict to change (prefetch.ts).
  const prefetch = new FactPrefetch(input.entries.map((e) => ({step: e.step, ctx: {...ctx, params: e.params}})), input.hosts)
  const hosts = prefetch.hosts
  const records: StepRecord[] = []
  const dryRun = ctx.options.dryRun
  // In a dry run later steps see the state as it is, not as earlier planned changes would leave it.
  let earlierPlanned = false

  const tasks = new Listr(
    input.entries.map((entry, index) => ({
      title: entry.step.title,
      task: async (_: unknown, task: ListrTaskWrapper<unknown, any, any>) => {
        if (signal.aborted) throw new InterruptedError()
        const stepCtx: StepContext = {...ctx, params: entry.params}
        const baseTitle = `${entry.step.title} [${entry.step.id}]`
        task.title = baseTitle
        const hooks: StepHooks = {
          signal,
          secrets: input.secrets,
          phase: (text) => {
            task.output = text
          },
          applyNodes: async (nodes, sequential, apply) => {
            // In parallel, a failure on one node lets the other finish its command (closing the
            // connections under it would leave that node half-changed and its error unreadable).
            const failures: unknown[] = []
            await task
              .newListr(
                nodes.map((node) => ({
                  title: nodeTitle(input.renderer, node, baseTitle),
                  task: async (_c: unknown, sub: ListrTaskWrapper<unknown, any, any>) => {
                    try {
                      await apply(node, (line) => {
                        sub.output = nodeOutput(input.renderer, node, line)
                      })
                    } catch (error) {
                      failures.push(error)
                      throw error
                    }
                  },
                  rendererOptions: {outputBar: 1, persistentOutput: false},
                })),
                {concurrent: !sequential, exitOnError: sequential},
              )
              .run()
              .catch(() => undefined)
            if (failures.length > 0) throw failures[0]
          },
          confirmDestroy: async (change) => {
            if (!ctx.options.interactive || ctx.options.yes) return ctx.options.wipe
            const typed = await task.prompt(ListrInquirerPromptAdapter).run(inputPrompt, {
              message: `This DESTROYS ${change.destroys}\nType the node name "${change.node}" to go ahead:`,
            })
            return typed.trim() === change.node
          },
        }
        let result: {record: StepRecord; plan: Plan}
        try {
          result = await executeStep(entry.step, stepCtx, hosts, hooks, await prefetch.take(index))
        } catch (error) {
          const record = (error as {stepRecord?: StepRecord}).stepRecord
          if (dryRun && earlierPlanned && record && !(error instanceof InterruptedError)) {
            // A dry run cannot know what earlier (unapplied) changes would make true.
            record.status = 'planned'
            record.notes = [`planned after earlier changes; today it says: ${record.error}`]
            delete record.error
            records.push(record)
            state.recordStep(run, record)
            task.title = `${baseTitle}: depends on earlier changes`
            return
          }
          if (record) {
            records.push(record)
            state.recordStep(run, record)
          }
          throw error
        }
        if (result.record.status === 'changed') prefetch.changed()
        records.push(result.record)
        state.recordStep(run, result.record)
        const n = result.plan.changes.length
        if (n === 0) task.title = `${baseTitle}: no change${result.plan.notes.length ? ` (${result.plan.notes[0]})` : ''}`
        else if (dryRun) {
          earlierPlanned = true
          task.title = `${baseTitle}: would make ${n} change${n === 1 ? '' : 's'}`
        } else task.title = `${baseTitle}: ${n} change${n === 1 ? '' : 's'} made`
        task.output = ''
      },
    })),
    {
      renderer: input.renderer,
      fallbackRenderer: 'simple',
      exitOnError: true,
      // Ctrl-C is ours: it aborts the run (DRBD keeps syncing), records it, and exits 130.
      registerSignalListeners: false,
      rendererOptions: {collapseSubtasks: false, showErrorMessage: false},
      fallbackRendererOptions: {timestamp: PRESET_TIMESTAMP},
      ...(input.renderer === 'simple' ? {rendererOptions: {timestamp: PRESET_TIMESTAMP}} : {}),
    } as any,
  )

  let failure: unknown
  try {
    await tasks.run()
  } catch (error) {
    failure = error
  }
  const status: RunRecord['status'] = failure
    ? signal.aborted
      ? 'interrupted'
      : 'failed'
    : dryRun
      ? 'planned'
      : 'ok'
  state.finishRun(run, status)
  const summary: RunSummary = {
    status,
    changed: records.filter((r) => r.status === 'changed').length,
    unchanged: records.filter((r) => r.status === 'unchanged').length,
    planned: records.filter((r) => r.status === 'planned').length,
    steps: records.map(summarize),
    roundTrips: Object.fromEntries(prefetch.roundTrips),
  }
  if (failure) {
    const exitCode = signal.aborted ? 130 : failure instanceof HapairError ? failure.exitCode : 1
    throw Object.assign(failure instanceof Error ? failure : new Error(String(failure)), {data: summary, exitCode})
  }
  return summary
}
