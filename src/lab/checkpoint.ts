/**
 * Lab checkpoints: both guests, memory and disks, saved and restored at one instant with
 * qemu's own snapshots (HMP savevm/loadvm into the guests' qcow2 disks).
 *
 * Both guests are stopped (QMP stop) before either is saved or loaded and continued together
 * after, so DRBD's and keepalived's view of the peer stays coherent: to each guest the peer
 * simply went quiet for the few seconds the save took. After a restore the guests' wall clocks
 * are stepped to the host's (they resume at the saved time) and, if DRBD was connected when
 * saved, we wait for Connected UpToDate/UpToDate and fail if it resynced to get there.
 *
 * Everything that touches qemu or SSH goes through CheckpointMachine, so the order of
 * operations and every refusal is unit-tested with a fake.
 */
import {
  CheckpointRefused, commitCheckpoint, listCheckpointRecords, readCheckpoint, removeCheckpointRecord, requireValidName,
  restoreRefusal, snapshotTag, type CheckpointMeta,
} from './checkpoint-store.js'
import {LabError} from './run.js'
import type {LabPaths} from './paths.js'

export interface CheckpointMachine {
  guests: readonly string[]
  /** The running lab's image hash, or undefined when the lab is not up (both guests running). */
  runningImage(): Promise<string | undefined>
  /**
   * For a restore: the lab's image hash when the lab is up, with each guest running or powered
   * off (a power-loss drill's leftover), and the guests that are off; undefined when it is not up.
   */
  restorableLab(): Promise<{imageHash: string; off: string[]} | undefined>
  /** Starts a powered-off guest's qemu on its disks with the vCPU stopped: a loadvm follows, not a boot. */
  startStopped(guest: string): Promise<void>
  qmp(guest: string, execute: 'stop' | 'cont'): Promise<void>
  /** An HMP command through QMP; returns what the monitor printed (savevm/loadvm print only errors). */
  hmp(guest: string, command: string): Promise<string>
  /** Snapshot tags present in every disk of the guest (running or not). */
  tags(guest: string): Promise<string[]>
  /** Bytes of saved memory of each snapshot tag, and the guest's disk files' size on the host. */
  diskUse(guest: string): Promise<{vmStateBytes: Record<string, number>; diskBytes: number}>
  exec(guest: string, command: string): Promise<{code: number; stdout: string; stderr: string}>
  now(): number
  sleep(ms: number): Promise<void>
}

/** `cs ro ds` of the first resource in /proc/drbd (8.4 format), or null when DRBD is not loaded or not configured. */
export function drbdLine(procDrbd: string): string | null {
  const m = /cs:(\S+) ro:(\S+) ds:(\S+)/.exec(procDrbd)
  return m ? `${m[1]} ${m[2]} ${m[3]}` : null
}

const healthy = (line: string | null) => line !== null && /^Connected \S+ UpToDate\/UpToDate$/.test(line)
const resyncing = (line: string | null) => line !== null && /^(Sync|PausedSync|StartingSync|WFBitMap)/.test(line)

async function readDrbd(m: CheckpointMachine): Promise<Record<string, string | null>> {
  const lines = await Promise.all(m.guests.map(async (g) => drbdLine((await m.exec(g, 'cat /proc/drbd 2>/dev/null || true')).stdout)))
  return Object.fromEntries(m.guests.map((g, i) => [g, lines[i]]))
}

/** Runs an HMP command on every guest at once; a non-empty answer is qemu's error message. */
async function hmpAll(m: CheckpointMachine, command: string): Promise<void> {
  const answers = await Promise.all(m.guests.map(async (g) => ({g, out: (await m.hmp(g, command)).trim()})))
  const failed = answers.filter((a) => a.out)
  if (failed.length) throw new LabError(`${command}: ${failed.map((a) => `${a.g}: ${a.out}`).join('; ')}`)
}

/** Stops every guest, runs fn, and continues every guest whatever fn did. */
async function whileStopped<T>(m: CheckpointMachine, fn: () => Promise<T>): Promise<T> {
  for (const g of m.guests) await m.qmp(g, 'stop')
  try {
    return await fn()
  } finally {
    // Together, not one after the other: on a busy host the first guest could otherwise run for
    // longer than DRBD's ping timeout before its peer does (seen once: a reconnect and a new data
    // generation after a restore while other work loaded both cores).
    await Promise.all(m.guests.map((g) => m.qmp(g, 'cont')))
  }
}

export async function saveCheckpoint(name: string, m: CheckpointMachine, paths: LabPaths): Promise<CheckpointMeta> {
  requireValidName(name)
  const imageHash = await m.runningImage()
  if (!imageHash) throw new CheckpointRefused(`no lab is up: run \`hapair lab up\` before saving '${name}'`)
  const started = m.now()
  const drbd = await readDrbd(m)
  const tag = snapshotTag(name, started)
  try {
    await whileStopped(m, () => hmpAll(m, `savevm ${tag}`))
  } catch (err) {
    // No record was written, so nothing can restore this tag; drop what was saved of it.
    await Promise.all(m.guests.map((g) => m.hmp(g, `delvm ${tag}`).catch(() => '')))
    throw err
  }
  const previous = readCheckpoint(paths, name)
  const meta: CheckpointMeta = {name, tag, imageHash, savedAt: new Date(started).toISOString(), guests: [...m.guests], drbd, saveMs: m.now() - started}
  commitCheckpoint(paths, meta)
  if (previous && previous.tag !== tag && previous.imageHash === imageHash) await Promise.all(m.guests.map((g) => m.hmp(g, `delvm ${previous.tag}`).catch(() => '')))
  return meta
}

export interface RestoreResult {
  name: string
  savedAt: string
  restoreMs: number
  /** DRBD per guest once the restore settled (null without DRBD). */
  drbd: Record<string, string | null>
}

export interface RestoreOptions {
  /** Longest wait for SSH and for DRBD to reconnect after the guests continue. */
  settleTimeoutMs?: number
}

async function checkedRestoreTarget(name: string, m: CheckpointMachine, paths: LabPaths): Promise<{meta: CheckpointMeta; off: string[]}> {
  requireValidName(name)
  const meta = readCheckpoint(paths, name)
  const lab = meta ? await m.restorableLab() : undefined
  const labImage = lab?.imageHash
  const tagsByGuest = meta && labImage === meta.imageHash ? Object.fromEntries(await Promise.all(meta.guests.map(async (g) => [g, await m.tags(g)]))) : undefined
  const refusal = restoreRefusal({name, meta, labImage, tagsByGuest})
  if (refusal) throw new CheckpointRefused(refusal)
  return {meta: meta!, off: lab!.off}
}

/** Steps each guest's wall clock to the host's, retrying while its network settles. */
async function stepClocks(m: CheckpointMachine, deadline: number): Promise<void> {
  await Promise.all(
    m.guests.map(async (g) => {
      for (;;) {
        const r = await m.exec(g, `date -u -s @${(m.now() / 1000).toFixed(3)} >/dev/null`)
        if (r.code === 0) return
        if (m.now() > deadline) throw new LabError(`${g}: could not step the clock after the restore: ${r.stderr.trim()}`)
        await m.sleep(500)
      }
    }),
  )
}

/** Waits for the DRBD state the checkpoint held to come back by reconnecting, not by a resync. */
async function awaitDrbd(m: CheckpointMachine, saved: Record<string, string | null>, deadline: number): Promise<Record<string, string | null>> {
  const wantHealthy = Object.values(saved).some(healthy)
  for (;;) {
    const now = await readDrbd(m)
    const syncing = Object.entries(now).filter(([, l]) => resyncing(l))
    if (syncing.length) throw new LabError(`DRBD resynced after the restore (${syncing.map(([g, l]) => `${g}: ${l}`).join('; ')}); the checkpoint was not coherent`)
    if (!wantHealthy || Object.values(now).every(healthy)) return now
    if (m.now() > deadline) throw new LabError(`DRBD did not come back Connected UpToDate/UpToDate after the restore: ${Object.entries(now).map(([g, l]) => `${g}: ${l}`).join('; ')}`)
    await m.sleep(500)
  }
}

export async function restoreCheckpoint(name: string, m: CheckpointMachine, paths: LabPaths, options: RestoreOptions = {}): Promise<RestoreResult> {
  const {meta, off} = await checkedRestoreTarget(name, m, paths)
  const started = m.now()
  // A guest a drill powered off comes back as its saved self: its qemu starts stopped and loadvm
  // replaces the boot it would otherwise need (seconds instead of half a minute under emulation).
  for (const g of off) await m.startStopped(g)
  await whileStopped(m, () => hmpAll(m, `loadvm ${meta.tag}`))
  const deadline = m.now() + (options.settleTimeoutMs ?? 90_000)
  await stepClocks(m, deadline)
  const drbd = await awaitDrbd(m, meta.drbd, deadline)
  return {name, savedAt: meta.savedAt, restoreMs: m.now() - started, drbd}
}

export async function removeCheckpoint(name: string, m: CheckpointMachine, paths: LabPaths): Promise<{name: string}> {
  requireValidName(name)
  const meta = readCheckpoint(paths, name)
  if (!meta) throw new CheckpointRefused(`no checkpoint named '${name}' (see \`hapair lab checkpoint list\`)`)
  removeCheckpointRecord(paths, name) // first: from here on nothing restores it
  if ((await m.runningImage()) === meta.imageHash) await Promise.all(meta.guests.map((g) => m.hmp(g, `delvm ${meta.tag}`).catch(() => '')))
  return {name}
}

export interface CheckpointListEntry {
  name: string
  savedAt: string
  imageHash: string
  /** Its snapshot is in the running lab's disks and the lab runs its image. */
  restorable: boolean
  /** Saved memory of both guests, in bytes (their disk blocks are shared with the live disks). */
  vmStateBytes: number
}

export async function listCheckpoints(m: CheckpointMachine, paths: LabPaths): Promise<{checkpoints: CheckpointListEntry[]; diskBytes: number}> {
  const records = listCheckpointRecords(paths)
  const labImage = await m.runningImage()
  const use = await Promise.all(m.guests.map((g) => m.diskUse(g)))
  const vmState = (tag: string, guests: string[]) => guests.reduce((sum, g) => sum + (use[m.guests.indexOf(g)]?.vmStateBytes[tag] ?? 0), 0)
  const present = (meta: CheckpointMeta) => meta.guests.every((g) => meta.tag in (use[m.guests.indexOf(g)]?.vmStateBytes ?? {}))
  return {
    checkpoints: records.map((r) => ({
      name: r.name, savedAt: r.savedAt, imageHash: r.imageHash,
      restorable: r.imageHash === labImage && present(r),
      vmStateBytes: vmState(r.tag, r.guests),
    })),
    diskBytes: use.reduce((sum, u) => sum + u.diskBytes, 0),
  }
}
