/**
 * Runbook files without their steps: the YAML read and checked (ids against the list of step ids,
 * includes expanded, every problem naming its file), so a command can refuse a bad runbook before
 * any connection without loading the step modules (start-up cost: README, Benchmarks). runbook.ts
 * resolves the ids to steps.
 *   name: nfs-keepalived
 *   summary: ...
 *   steps: [ storage.partition, {id: drbd.sync, with: {timeout: 600}}, {include: ha-keepalived} ]
 */
import {readFileSync, existsSync, readdirSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseDocument} from 'yaml'
import {yamlToJS} from '../config/yaml-to-js.js'
import {UsageError} from '../errors.js'
import {STEP_IDS} from '../steps/ids.js'

/** One line of a runbook: a step id and its parameters (`with:`). */
export interface RunbookLine {
  id: string
  params: Record<string, unknown>
}

export interface RunbookFile {
  name: string
  summary: string
  lines: RunbookLine[]
}

/** runbooks/ ships beside dist/: the package root is three levels above this compiled file (dist/src/engine/, or bundled dist/bundle/lib/app.cjs: scripts/bundle.js keeps that depth). */
export const RUNBOOK_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../runbooks')

/**
 * A runbook file's YAML, or a usage error (exit 2) that names the file: a runbook written by hand
 * can be malformed (syntax, an alias bomb), and the message must say which file to fix.
 */
function readRunbookYaml(file: string): unknown {
  const doc = parseDocument(readFileSync(file, 'utf8'), {prettyErrors: false})
  if (doc.errors.length) {
    const e = doc.errors[0]
    throw new UsageError(`${file}: runbook YAML syntax: ${e.message.split('\n')[0]}`, 'fix the YAML at that line (a runbook is `name`, `summary` and a `steps` list)')
  }
  const js = yamlToJS(doc)
  if (js.problem) throw new UsageError(`${file}: ${js.problem}`)
  return js.value
}

/** Every runbook with its summary; one that cannot be read is listed with that said, not fatal to the list. */
export function listRunbooks(dir = RUNBOOK_DIR): {name: string; summary: string}[] {
  return runbookNames(dir).map((name) => {
    let summary: string
    try {
      summary = String((readRunbookYaml(join(dir, `${name}.yaml`)) as {summary?: string} | null)?.summary ?? '')
    } catch {
      summary = '(cannot be read)'
    }
    return {name, summary}
  })
}

/**
 * The runbooks' names, in localeCompare's order, without reading them (`hapair run`'s description
 * lists them on every start). Names of lower-case letters, digits and '-' (every shipped one) are
 * in that order by code point, which spares building ICU's collator (~6 ms of CPU).
 */
export function runbookNames(dir = RUNBOOK_DIR): string[] {
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
  return names.every((n) => /^[a-z0-9-]*$/.test(n)) ? names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : names.sort((a, b) => a.localeCompare(b))
}

export function readRunbook(nameOrPath: string, dir = RUNBOOK_DIR, seen: string[] = [], includedFrom?: string): RunbookFile {
  // A path given on the command line is relative to the working directory; an included one to its runbook.
  const file = nameOrPath.endsWith('.yaml') ? resolve(includedFrom ? dir : '.', nameOrPath) : join(dir, `${nameOrPath}.yaml`)
  if (!existsSync(file)) {
    if (includedFrom) throw new UsageError(`${includedFrom}: include "${nameOrPath}" names no runbook (${file} does not exist)`, `available in ${dir}: ${listRunbooks(dir).map((r) => r.name).join(', ')}`)
    throw new UsageError(`no runbook "${nameOrPath}"`, `available: ${listRunbooks(dir).map((r) => r.name).join(', ')}`)
  }
  if (seen.includes(file)) throw new UsageError(`runbook include loop: ${[...seen, file].join(' -> ')}`)
  const doc = readRunbookYaml(file) as {name?: string; summary?: string; steps?: unknown[]} | null
  if (!doc || !Array.isArray(doc.steps)) throw new UsageError(`${file}: a runbook needs a "steps" list`)
  const lines: RunbookLine[] = []
  for (const [i, raw] of doc.steps.entries()) {
    if (typeof raw === 'string') lines.push({id: stepIn(file, i, raw), params: {}})
    else if (raw && typeof raw === 'object' && 'include' in raw) {
      lines.push(...readRunbook(String((raw as {include: string}).include), dirname(file), [...seen, file], `${file}: steps[${i}]`).lines)
    } else if (raw && typeof raw === 'object' && 'id' in raw) {
      const {id, with: params = {}} = raw as {id: string; with?: Record<string, unknown>}
      lines.push({id: stepIn(file, i, id), params})
    } else throw new UsageError(`${file}: steps[${i}] must be a step id, {id, with} or {include}`)
  }
  return {name: doc.name ?? nameOrPath, summary: doc.summary ?? '', lines}
}

/** A runbook line's step id, checked; an unknown id is named with the runbook file and the entry. */
function stepIn(file: string, index: number, id: unknown): string {
  if (!STEP_IDS.includes(String(id))) throw new UsageError(`${file}: steps[${index}]: unknown step "${String(id)}"`, `known steps: ${STEP_IDS.join(', ')}`)
  return String(id)
}

/** `--only a,b` keeps the named steps; `--from x` starts at x. Unknown names are usage errors. */
export function selectBy<E>(entries: E[], idOf: (entry: E) => string, opts: {only?: string[]; from?: string}): E[] {
  const ids = entries.map(idOf)
  for (const id of [...(opts.only ?? []), ...(opts.from ? [opts.from] : [])]) {
    if (!ids.includes(id)) throw new UsageError(`step "${id}" is not in this runbook`, `its steps: ${ids.join(', ')}`)
  }
  let selected = entries
  if (opts.from) selected = selected.slice(ids.indexOf(opts.from))
  if (opts.only?.length) selected = selected.filter((e) => opts.only!.includes(idOf(e)))
  return selected
}
