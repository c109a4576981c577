/**
 * A lab checkpoint's record: one JSON file per name under <lab dir>/checkpoints/. The guests'
 * memory and disks live in their qcow2 disks as internal snapshots under a unique tag; the
 * record is written last (temporary file, then rename), so it is the commit: a save interrupted
 * before it leaves stray snapshots that nothing can restore, never a half checkpoint.
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {HapairError, ExitCode} from '../errors.js'
import type {LabPaths} from './paths.js'

/** A request the lab refuses before touching anything (exit 2). */
export class CheckpointRefused extends HapairError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint)
  }
}

export interface CheckpointMeta {
  name: string
  /** The internal snapshot tag in every guest disk. */
  tag: string
  /** Recipe hash of the base image the guests ran: a checkpoint restores only onto it. */
  imageHash: string
  savedAt: string
  guests: string[]
  /** Each guest's DRBD line at save time (`Connected Primary/Secondary UpToDate/UpToDate`), null without DRBD. */
  drbd: Record<string, string | null>
  saveMs: number
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/

export function checkpointNameProblem(name: string): string | undefined {
  return NAME.test(name) ? undefined : `bad checkpoint name '${name}': 1–40 letters, digits, '-' or '_', starting with a letter or digit`
}

export function requireValidName(name: string): void {
  const problem = checkpointNameProblem(name)
  if (problem) throw new CheckpointRefused(problem)
}

/** Unique per save, so saving over a name never touches the snapshot its record points to until the new record is in place. */
export function snapshotTag(name: string, savedAtMs: number): string {
  return `hapair-${name}-${savedAtMs.toString(36)}`
}

export function checkpointsDir(paths: LabPaths): string {
  return join(paths.dir, 'checkpoints')
}

const recordFile = (paths: LabPaths, name: string) => join(checkpointsDir(paths), `${name}.json`)

export function readCheckpoint(paths: LabPaths, name: string): CheckpointMeta | undefined {
  const file = recordFile(paths, name)
  if (!existsSync(file)) return undefined
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CheckpointMeta
  } catch {
    return undefined // a torn record is no checkpoint
  }
}

export function listCheckpointRecords(paths: LabPaths): CheckpointMeta[] {
  const dir = checkpointsDir(paths)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readCheckpoint(paths, f.slice(0, -'.json'.length)))
    .filter((m): m is CheckpointMeta => m !== undefined)
    .sort((a, b) => a.savedAt.localeCompare(b.savedAt))
}

export function commitCheckpoint(paths: LabPaths, meta: CheckpointMeta): void {
  mkdirSync(checkpointsDir(paths), {recursive: true})
  const file = recordFile(paths, meta.name)
  writeFileSync(`${file}.tmp`, JSON.stringify(meta, null, 2) + '\n')
  renameSync(`${file}.tmp`, file)
}

export function removeCheckpointRecord(paths: LabPaths, name: string): void {
  rmSync(recordFile(paths, name), {force: true})
}

/** Why a restore must not start (checked before anything is stopped), or undefined. */
export function restoreRefusal(o: {name: string; meta?: CheckpointMeta; labImage?: string; tagsByGuest?: Record<string, string[]>}): string | undefined {
  if (!o.meta) return `no checkpoint named '${o.name}' (see \`hapair lab checkpoint list\`)`
  if (!o.labImage) return `no lab is up: run \`hapair lab up\`, then restore '${o.name}'`
  if (o.meta.imageHash !== o.labImage) {
    return `checkpoint '${o.name}' belongs to base image ${o.meta.imageHash}; the lab runs image ${o.labImage} (a checkpoint restores only onto the image it was saved from)`
  }
  const missing = o.meta.guests.filter((g) => !(o.tagsByGuest?.[g] ?? []).includes(o.meta!.tag))
  if (missing.length) return `checkpoint '${o.name}': its snapshot ${o.meta.tag} is missing from the disks of ${missing.join(', ')} (they were recreated since it was saved)`
  return undefined
}
