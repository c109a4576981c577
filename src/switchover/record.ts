/**
 * A switchover in the state file's runs, so `hapair history` lists it beside run, drbd-init and
 * failover-test. The run begins once the plan has passed the health gate: a refused switchover
 * changed nothing and started nothing, so it is not a run. Each phase becomes a step when it ends
 * (the one that fails carries the error); a dry run is recorded as one, its phases planned. A
 * process killed midway leaves the run "running", which `history` shows as abandoned.
 */
import {ExitCode, HapairError} from '../errors.js'
import type {RunRecord, StateFile, StepRecord, StepStatus} from '../state/state-file.js'
import type {SwitchoverPhase, SwitchoverRecorder, SwitchoverReport} from './run.js'

export type SwitchoverRunMeta = Pick<RunRecord, 'hapairVersion' | 'clusterFile' | 'clusterHash' | 'dryRun'>

/** Runs `switchover` with a recorder that writes its run into `state`; returns or rethrows what it did. */
export async function recordedSwitchover(state: StateFile, meta: SwitchoverRunMeta, switchover: (record: SwitchoverRecorder) => Promise<SwitchoverReport>): Promise<SwitchoverReport> {
  let run: RunRecord | undefined
  let current: {phase: SwitchoverPhase; startedAt: string} | undefined
  const end = (status: StepStatus, error?: string) => {
    if (run && current) state.recordStep(run, phaseStep(current.phase, current.startedAt, status, error))
    current = undefined
  }
  const recorder: SwitchoverRecorder = {
    started: (report) => {
      run = state.beginRun({command: 'switchover', ...meta})
      if (meta.dryRun) for (const phase of report.phases) state.recordStep(run, phaseStep(phase, run.startedAt, 'planned'))
    },
    phase: (phase) => {
      end(doneStatus(current?.phase))
      current = {phase, startedAt: new Date().toISOString()}
    },
  }
  try {
    const report = await switchover(recorder)
    end(doneStatus(current?.phase))
    if (run) state.finishRun(run, meta.dryRun ? 'planned' : 'ok')
    return report
  } catch (error) {
    const interrupted = error instanceof HapairError && error.exitCode === ExitCode.interrupted
    end(interrupted ? 'interrupted' : 'failed', error instanceof Error ? error.message : String(error))
    if (run) state.finishRun(run, interrupted ? 'interrupted' : 'failed')
    throw error
  }
}

/** A phase that ran a command changed the cluster; a wait only watched it. */
const doneStatus = (phase: SwitchoverPhase | undefined): StepStatus => (phase?.command ? 'changed' : 'unchanged')

function phaseStep(phase: SwitchoverPhase, startedAt: string, status: StepStatus, error?: string): StepRecord {
  const ran = phase.command && status !== 'planned'
  // A wait watches both nodes ("both"): it has no node of its own to file changes under.
  const nodes = phase.node === 'both' ? {} : {[phase.node]: {changes: ran ? [{kind: 'command' as const, title: phase.command!, durationMs: phase.ms ?? 0}] : []}}
  return {
    id: `switchover-${phase.phase}`,
    title: `${phase.node}: ${phase.what}`,
    status,
    startedAt,
    durationMs: phase.ms ?? 0,
    notes: [],
    planned: phase.command ? [phase.command] : [],
    nodes,
    ...(error !== undefined && {error}),
  }
}
