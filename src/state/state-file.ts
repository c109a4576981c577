/**
 * `.hapair/state.json` beside the cluster file: per run, per step and node, what was found,
 * what was changed and how it ended. Written atomically (temp + rename) after every step, so
 * a crash or Ctrl-C leaves a record the next run starts from. No secret is ever written here:
 * facts pass through redact() first.
 */
import {mkdirSync, readFileSync, renameSync, writeFileSync, existsSync} from 'node:fs'
import {join} from 'node:path'

export type StepStatus = 'unchanged' | 'changed' | 'planned' | 'failed' | 'interrupted'
export type RunStatus = 'running' | 'ok' | 'failed' | 'interrupted' | 'planned'

export interface AppliedChange {
  kind: 'file' | 'command' | 'wait'
  title: string
  code?: number
  durationMs: number
  path?: string
  sha256Before?: string | null
  sha256After?: string
}

export interface NodeRecord {
  facts?: unknown
  changes: AppliedChange[]
}

export interface StepRecord {
  id: string
  title: string
  status: StepStatus
  startedAt: string
  durationMs: number
  notes: string[]
  planned: string[]
  nodes: Record<string, NodeRecord>
  error?: string
}

export interface RunRecord {
  id: string
  command: string
  runbook?: string
  startedAt: string
  finishedAt?: string
  status: RunStatus
  hapairVersion: string
  clusterFile: string
  clusterHash: string
  dryRun: boolean
  steps: StepRecord[]
  drills?: unknown[]
}

export interface StateData {
  version: 1
  runs: RunRecord[]
}

const KEEP_RUNS = 100

export class StateFile {
  readonly path: string
  private data: StateData

  constructor(readonly dir: string) {
    this.path = join(dir, 'state.json')
    this.data = existsSync(this.path) ? (JSON.parse(readFileSync(this.path, 'utf8')) as StateData) : {version: 1, runs: []}
  }

  get runs(): readonly RunRecord[] {
    return this.data.runs
  }

  /** The last run that did not finish well, if the newest run is one. */
  unfinished(): RunRecord | undefined {
    const last = this.data.runs.at(-1)
    return last && (last.status === 'failed' || last.status === 'interrupted' || last.status === 'running') ? last : undefined
  }

  beginRun(meta: Omit<RunRecord, 'id' | 'startedAt' | 'status' | 'steps'>): RunRecord {
    const startedAt = new Date().toISOString()
    const run: RunRecord = {id: startedAt.replace(/[:.]/g, '-'), startedAt, status: 'running', steps: [], ...meta}
    this.data.runs.push(run)
    this.data.runs = this.data.runs.slice(-KEEP_RUNS)
    this.save()
    return run
  }

  recordStep(run: RunRecord, step: StepRecord): void {
    run.steps.push(step)
    this.save()
  }

  finishRun(run: RunRecord, status: RunStatus): void {
    run.status = status
    run.finishedAt = new Date().toISOString()
    this.save()
  }

  save(): void {
    mkdirSync(this.dir, {recursive: true, mode: 0o700})
    const tmp = `${this.path}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(this.data, null, 2) + '\n', {mode: 0o600})
    renameSync(tmp, this.path)
  }
}
