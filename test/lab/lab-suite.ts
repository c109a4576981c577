/**
 * What every lab suite starts with and keeps using: the lab asserted runnable and up, a command on
 * a guest that must succeed, and the cluster the drills need, built or converged.
 */
import assert from 'node:assert/strict'
import {copyFileSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ensureLabUp, GUESTS, guestExec, labPaths, missingPrerequisites, type LabUpResult} from '../../src/lab/index.js'
import {HA_LOG_PATH} from '../../src/templates/scripts/paths.js'
import {expectExit, hapair} from './cli.js'

/** Asserted, not skipped: a machine that cannot run the lab fails the suite loudly. */
export async function requireLab(options: {fresh?: boolean} = {}): Promise<LabUpResult> {
  const missing = missingPrerequisites({build: true})
  assert.deepEqual(missing, [], `the lab suite cannot run here; missing:\n  ${missing.join('\n  ')}`)
  return ensureLabUp(options)
}

/** Runs a command on a guest; fails the test with its output unless it exits 0. Trimmed stdout. */
export async function onGuest(node: string, command: string, timeoutMs = 120_000): Promise<string> {
  const r = await guestExec(node, command, {timeoutMs})
  assert.equal(r.code, 0, `${node}: ${command} exited ${r.code}: ${r.stderr}${r.stdout}`)
  return r.stdout.trim()
}

/** The ids of the steps a `--json` run changed. */
export const changedSteps = (json: any): string[] => json.steps.filter((s: any) => s.status === 'changed').map((s: any) => s.id)

/** The lab up with the NFS + keepalived cluster on it: reuses what an earlier suite built, or builds it (the runbook converges either way). */
export async function requireCluster(): Promise<void> {
  await requireLab()
  expectExit(await hapair(['run', 'nfs-keepalived'], {timeoutMs: 40 * 60_000}), 0, 'run nfs-keepalived')
}

/** A copy of the lab's cluster file (with its secrets) that a test may change; returns its path. */
export function clusterFileVariant(edit: (yaml: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-variant-'))
  const paths = labPaths()
  writeFileSync(join(dir, 'hapair.yaml'), edit(readFileSync(paths.clusterFile, 'utf8')))
  copyFileSync(paths.clusterFile.replace(/\.yaml$/, '.secrets.yaml'), join(dir, 'hapair.secrets.yaml'))
  return join(dir, 'hapair.yaml')
}

/**
 * The HA log and keepalived's journal of both nodes, for a failed drill's assertion message: CI
 * keeps only the test output, and the lab is gone by the time anyone reads it.
 */
export async function haLogTails(lines = 60): Promise<string> {
  const command = `tail -n ${lines} ${HA_LOG_PATH} 2>&1; echo '--- journal:'; journalctl -u keepalived --no-pager -o short-precise -n ${lines} 2>&1`
  const parts = await Promise.all(
    GUESTS.map(async ({name: node}) => {
      const r = await guestExec(node, command, {timeoutMs: 30_000}).catch((e: Error) => ({stdout: '', stderr: e.message, code: -1}))
      return `=== ${node}: HA log and keepalived journal\n${r.stdout}${r.stderr}`
    }),
  )
  return parts.join('\n')
}
