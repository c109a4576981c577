/**
 * Runbooks: YAML lists of step ids in order, with parameters and includes.
 *   name: nfs-keepalived
 *   summary: ...
 *   steps: [ storage.partition, {id: drbd.sync, with: {timeout: 600}}, {include: ha-keepalived} ]
 */
import {readFileSync, existsSync, readdirSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parse} from 'yaml'
import {UsageError} from '../errors.js'
import {getStep} from '../steps/index.js'
import type {Step} from './step.js'

export interface RunbookEntry {
  step: Step
  params: Record<string, unknown>
}

export interface Runbook {
  name: string
  summary: string
  entries: RunbookEntry[]
}

/** runbooks/ ships beside dist/: the package root is three levels above this compiled file. */
export const RUNBOOK_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../runbooks')

export function listRunbooks(dir = RUNBOOK_DIR): {name: string; summary: string}[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => {
      const doc = parse(readFileSync(join(dir, f), 'utf8')) as {summary?: string}
      return {name: f.replace(/\.yaml$/, ''), summary: doc?.summary ?? ''}
    })
    .sort((a, b) => a.name.localeCompare(b.name))
}

export function loadRunbook(nameOrPath: string, dir = RUNBOOK_DIR, seen: string[] = []): Runbook {
  const file = nameOrPath.endsWith('.yaml') ? resolve(nameOrPath) : join(dir, `${nameOrPath}.yaml`)
  if (!existsSync(file)) {
    throw new UsageError(`no runbook "${nameOrPath}"`, `available: ${listRunbooks(dir).map((r) => r.name).join(', ')}`)
  }
  if (seen.includes(file)) throw new UsageError(`runbook include loop: ${[...seen, file].join(' -> ')}`)
  const doc = parse(readFileSync(file, 'utf8')) as {name?: string; summary?: string; steps?: unknown[]}
  if (!doc || !Array.isArray(doc.steps)) throw new UsageError(`${file}: a runbook needs a "steps" list`)
  const entries: RunbookEntry[] = []
  for (const [i, raw] of doc.steps.entries()) {
    if (typeof raw === 'string') entries.push({step: getStep(raw), params: {}})
    else if (raw && typeof raw === 'object' && 'include' in raw) {
      entries.push(...loadRunbook(String((raw as {include: string}).include), dirname(file), [...seen, file]).entries)
    } else if (raw && typeof raw === 'object' && 'id' in raw) {
      const {id, with: params = {}} = raw as {id: string; with?: Record<string, unknown>}
      entries.push({step: getStep(id), params})
    } else throw new UsageError(`${file}: steps[${i}] must be a step id, {id, with} or {include}`)
  }
  return {name: doc.name ?? nameOrPath, summary: doc.summary ?? '', entries}
}

/** `--only a,b` keeps the named steps; `--from x` starts at x. Unknown names are usage errors. */
export function selectEntries(entries: RunbookEntry[], opts: {only?: string[]; from?: string}): RunbookEntry[] {
  const ids = entries.map((e) => e.step.id)
  for (const id of [...(opts.only ?? []), ...(opts.from ? [opts.from] : [])]) {
    if (!ids.includes(id)) throw new UsageError(`step "${id}" is not in this runbook`, `its steps: ${ids.join(', ')}`)
  }
  let selected = entries
  if (opts.from) selected = selected.slice(ids.indexOf(opts.from))
  if (opts.only?.length) selected = selected.filter((e) => opts.only!.includes(e.step.id))
  return selected
}
