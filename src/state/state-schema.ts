/**
 * The shape of `.hapair/state.json`, checked on every read: a hand-edited, truncated or foreign
 * file is reported as damaged (with what is wrong) instead of failing later in JavaScript words.
 * Unknown keys are kept (passthrough): a newer hapair may have written more.
 */
import {z} from 'zod'

const appliedChange = z
  .object({
    kind: z.enum(['file', 'command', 'wait']),
    title: z.string(),
    code: z.number().optional(),
    durationMs: z.number(),
    path: z.string().optional(),
    sha256Before: z.string().nullable().optional(),
    sha256After: z.string().optional(),
  })
  .passthrough()

const stepRecord = z
  .object({
    id: z.string(),
    title: z.string(),
    status: z.enum(['unchanged', 'changed', 'planned', 'failed', 'interrupted']),
    startedAt: z.string(),
    durationMs: z.number(),
    notes: z.array(z.string()),
    planned: z.array(z.string()),
    nodes: z.record(z.object({facts: z.unknown().optional(), changes: z.array(appliedChange)}).passthrough()),
    error: z.string().optional(),
  })
  .passthrough()

const runRecord = z
  .object({
    id: z.string(),
    command: z.string(),
    runbook: z.string().optional(),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    status: z.enum(['running', 'ok', 'failed', 'interrupted', 'planned']),
    /** The process that ran it: a "running" run whose process is gone was abandoned. */
    pid: z.number().optional(),
    host: z.string().optional(),
    hapairVersion: z.string(),
    clusterFile: z.string(),
    clusterHash: z.string(),
    dryRun: z.boolean(),
    steps: z.array(stepRecord),
    drills: z.array(z.unknown()).optional(),
  })
  .passthrough()

export const stateSchema = z.object({version: z.literal(1), runs: z.array(runRecord)}).passthrough()
