/**
 * `.hapair/state.json` beside the cluster file: per run, per step and node, what was found,
 * what was changed and how it ended. Written atomically (temp + rename) after every step, so
 * a crash or Ctrl-C leaves a record the next run starts from, and a reader (`status`, `history`)
 * sees the old file or the new one, never half of one. No secret is ever written here: facts pass
 * through redact() first.
 *
 * Read and validated (state-schema.ts) when opened: a damaged file is a DamagedStateError (exit 2)
 * naming the file and what is wrong; with the user's agreement or `--reset-state` it is kept aside
 * as `state.json.damaged-<time>` and a new history starts. Commands that need no history never
 * open it.
 */
import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {basename, join} from 'node:path'
import {ExitCode, HapairError} from '../errors.js'
import {stateSchema} from './state-schema.js'

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
  /** The process that ran it, so a "running" run whose process died reads as abandoned. */
  pid?: number
  host?: string
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

export class DamagedStateError extends HapairError {
  constructor(readonly path: string, readonly what: string) {
    super(
      `${path}: the state file is damaged (${what})`,
      ExitCode.usage,
      `run again with --reset-state to keep it aside as ${basename(path)}.damaged-<time> and start a new history, or restore it from a backup`,
    )
  }
}

/** The validated content of a state file; an empty history when there is none yet. */
export function readStateData(path: string): StateData {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {version: 1, runs: []}
    throw new DamagedStateError(path, `cannot read it: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new DamagedStateError(path, `not valid JSON: ${(error as Error).message}`)
  }
  const parsed = stateSchema.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`)
    const more = parsed.error.issues.length > 3 ? ` and ${parsed.error.issues.length - 3} more` : ''
    throw new DamagedStateError(path, `${issues.join('; ')}${more}`)
  }
  return parsed.data as StateData
}

/** Keeps a damaged state file aside as `<name>.damaged-<time>`; returns where it went. */
export function setAsideDamaged(path: string, now: Date): string {
  const aside = `${path}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`
  renameSync(path, aside)
  return aside
}

export interface OpenStateOptions {
  /** `--reset-state`: set a damaged file aside without asking. */
  reset?: boolean
  /** Asked (at a terminal) whether to set a damaged file aside; no answer means no. */
  confirm?: (error: DamagedStateError) => Promise<boolean>
  /** Told where a damaged file was kept. */
  notice?: (text: string) => void
  now?: () => Date
}

/** Opens the state file; a damaged one is set aside when allowed, otherwise its error is thrown. */
export async function openStateFile(dir: string, opts: OpenStateOptions = {}): Promise<StateFile> {
  const now = opts.now ?? (() => new Date())
  try {
    return new StateFile(dir, now)
  } catch (error) {
    if (!(error instanceof DamagedStateError)) throw error
    if (!opts.reset && !(await opts.confirm?.(error))) throw error
    const aside = setAsideDamaged(error.path, now())
    opts.notice?.(`${error.message}; kept aside as ${aside}, starting a new history`)
    return new StateFile(dir, now)
  }
}

export class StateFile {
  readonly path: string
  private data: StateData

  /** Reads and validates the file; throws DamagedStateError when it is damaged. */
  constructor(
    readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.path = join(dir, 'state.json')
    this.data = readStateData(this.path)
  }

  get runs(): readonly RunRecord[] {
    return this.data.runs
  }

  /**
   * The last run that changed things, if it did not finish well. Dry runs change nothing, so how
   * one ended says nothing about where the cluster stands.
   */
  unfinished(): RunRecord | undefined {
    const last = this.data.runs.filter((r) => !r.dryRun).at(-1)
    return last && (last.status === 'failed' || last.status === 'interrupted' || last.status === 'running') ? last : undefined
  }

  beginRun(meta: Omit<RunRecord, 'id' | 'startedAt' | 'status' | 'steps'>): RunRecord {
    const startedAt = this.now().toISOString()
    const run: RunRecord = {id: startedAt.replace(/[:.]/g, '-'), startedAt, status: 'running', pid: process.pid, host: hostname(), steps: [], ...meta}
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
    run.finishedAt = this.now().toISOString()
    this.save()
  }

  save(): void {
    mkdirSync(this.dir, {recursive: true, mode: 0o700})
    const tmp = `${this.path}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(this.data, null, 2) + '\n', {mode: 0o600})
    renameSync(tmp, this.path)
  }
}
