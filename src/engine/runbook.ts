/**
 * Runbooks: YAML lists of step ids in order, with parameters and includes (runbook-file.ts reads
 * and checks them), resolved here to the steps themselves.
 */
import {getStep} from '../steps/index.js'
import type {Step} from './step.js'
import {readRunbook, RUNBOOK_DIR, selectBy, type RunbookFile} from './runbook-file.js'

export {listRunbooks, RUNBOOK_DIR} from './runbook-file.js'

export interface RunbookEntry {
  step: Step
  params: Record<string, unknown>
}

export interface Runbook {
  name: string
  summary: string
  entries: RunbookEntry[]
}

/** A runbook file's lines as steps (their ids were checked when the file was read). */
export function resolveRunbook(file: RunbookFile): Runbook {
  return {name: file.name, summary: file.summary, entries: file.lines.map((l) => ({step: getStep(l.id), params: l.params}))}
}

export function loadRunbook(nameOrPath: string, dir = RUNBOOK_DIR): Runbook {
  return resolveRunbook(readRunbook(nameOrPath, dir))
}

/** `--only a,b` keeps the named steps; `--from x` starts at x. Unknown names are usage errors. */
export function selectEntries(entries: RunbookEntry[], opts: {only?: string[]; from?: string}): RunbookEntry[] {
  return selectBy(entries, (e) => e.step.id, opts)
}
