/**
 * What every lab suite starts with and keeps using: the lab asserted runnable and up, a command on
 * a guest that must succeed, and the cluster the drills need, built or converged.
 */
import assert from 'node:assert/strict'
import {copyFileSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {
  ensureLabUp, GUESTS, guestExec, labCheckpointMachine, labPaths, listCheckpoints, missingPrerequisites, restoreCheckpoint, saveCheckpoint,
  type LabUpResult,
} from '../../src/lab/index.js'
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

/**
 * Checkpoints the suites share. BLANK: freshly booted guests with blank data disks. STORAGE: saved by 10-storage (partitioned, DRBD Connected
 * UpToDate/UpToDate, /data on node1, no HA packages). CLUSTER: saved by 20-nfs-keepalived once
 * its first runbook run from blank disks converged (node1 serving /data on the VIP, preempt).
 * Later suites start from CLUSTER instead of booting and installing again.
 */
export const CHECKPOINT_BLANK = 'suite-blank'
export const CHECKPOINT_STORAGE = 'suite-storage'
export const CHECKPOINT_CLUSTER = 'suite-cluster'

export async function saveSuiteCheckpoint(name: string): Promise<void> {
  const meta = await saveCheckpoint(name, labCheckpointMachine(), labPaths())
  console.log(`checkpoint ${name} saved in ${(meta.saveMs / 1000).toFixed(1)} s`)
}

/** Restores a suite checkpoint and says how long it took; fails the test if it cannot. */
export async function restoreSuiteCheckpoint(name: string): Promise<void> {
  const r = await restoreCheckpoint(name, labCheckpointMachine(), labPaths())
  console.log(`checkpoint ${name} restored in ${(r.restoreMs / 1000).toFixed(1)} s; DRBD ${JSON.stringify(r.drbd)}`)
}

async function restorable(name: string): Promise<boolean> {
  return (await listCheckpoints(labCheckpointMachine(), labPaths())).checkpoints.some((c) => c.name === name && c.restorable)
}

/**
 * Freshly booted guests with blank data disks: the BLANK checkpoint restored (seconds), else a
 * boot (a new lab, or the guests reset) that is then saved as BLANK for the next suite.
 */
export async function requireBlankLab(): Promise<LabUpResult> {
  const lab = await requireLab()
  if (lab.reused && (await restorable(CHECKPOINT_BLANK))) {
    await restoreSuiteCheckpoint(CHECKPOINT_BLANK)
    return lab
  }
  const fresh = lab.reused ? await requireLab({fresh: true}) : lab
  await saveSuiteCheckpoint(CHECKPOINT_BLANK)
  return fresh
}

/**
 * The lab up with the NFS + keepalived cluster on it, converged: restored from the CLUSTER
 * checkpoint when an earlier suite saved one (seconds), else built by the runbook and saved.
 */
export async function requireCluster(): Promise<void> {
  await requireLab()
  if (await restorable(CHECKPOINT_CLUSTER)) return restoreSuiteCheckpoint(CHECKPOINT_CLUSTER)
  expectExit(await hapair(['run', 'nfs-keepalived'], {timeoutMs: 40 * 60_000}), 0, 'run nfs-keepalived')
  await saveSuiteCheckpoint(CHECKPOINT_CLUSTER)
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

/** VRRP adverts the node's keepalived has received since it started, from the statistics it writes on request. */
export async function advertsReceived(node: string): Promise<number> {
  const out = await onGuest(node, [
    'rm -f /tmp/keepalived.stats',
    'kill -s "$(keepalived --signum=STATS)" "$(systemctl show -p MainPID --value keepalived)"',
    'for i in $(seq 50); do [ -s /tmp/keepalived.stats ] && break; sleep 0.1; done',
    'cat /tmp/keepalived.stats',
  ].join('\n'))
  const received = /Advertisements:\s*\n\s*Received:\s*(\d+)/.exec(out)?.[1]
  assert.ok(received, `no advert count in keepalived's statistics:\n${out}`)
  return Number(received)
}


/**
 * After `split-brain recover --keep node1`: true once `status --json` says healthy (the manager
 * takes the service back and the resync ends), false after `timeoutMs`.
 */
export async function recoverKeepingNode1(configFile?: string, timeoutMs = 180_000): Promise<{recover: any; healthy: boolean}> {
  const recover = expectExit(await hapair(['split-brain', 'recover', '--keep', 'node1', '--yes', '--json'], {configFile}), 0, 'split-brain recover').json
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if ((await hapair(['status', '--json'], {configFile})).json?.healthy === true) return {recover, healthy: true}
    await new Promise((resolve) => setTimeout(resolve, 3000))
  }
  return {recover, healthy: false}
}
