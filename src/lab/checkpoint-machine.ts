/** The real CheckpointMachine: the lab's two guests through QMP, qemu-img and SSH. */
import {guestPaths, labPaths, type LabPaths} from './paths.js'
import {guestExec, guestRunState, startGuest} from './guest.js'
import {runningImage as labImage} from './lab.js'
import {qmp} from './qmp.js'
import {qcow2Info} from './qcow2.js'
import {readState} from './state.js'
import {sleep} from './run.js'
import {GUESTS} from './topology.js'
import type {CheckpointMachine} from './checkpoint.js'

/** savevm of 512 MiB guests takes seconds under emulation; allow for a busy host. */
const SNAPSHOT_TIMEOUT_MS = 10 * 60_000

const guestDisks = (paths: LabPaths, guest: string) => {
  const gp = guestPaths(paths, guest)
  return [gp.overlay, gp.data]
}

export function labCheckpointMachine(paths: LabPaths = labPaths()): CheckpointMachine {
  const socket = (g: string) => guestPaths(paths, g).qmpSocket
  return {
    guests: GUESTS.map((g) => g.name),
    async runningImage() {
      const state = readState(paths)
      if (!state) return undefined
      const states = await Promise.all(GUESTS.map((g) => guestRunState(g.name, paths)))
      return states.every((s) => s === 'running') ? state.imageHash : undefined
    },
    async restorableLab() {
      const state = readState(paths)
      if (!state) return undefined
      const states = await Promise.all(GUESTS.map(async (g) => ({name: g.name, run: await guestRunState(g.name, paths)})))
      if (!states.every((s) => s.run === 'running' || s.run === 'off')) return undefined
      return {imageHash: state.imageHash, off: states.filter((s) => s.run === 'off').map((s) => s.name)}
    },
    async startStopped(guest) {
      const {image, state} = labImage(paths)
      await startGuest(GUESTS.find((g) => g.name === guest)!, image, state.accel, paths, {stopped: true})
    },
    async qmp(guest, execute) {
      await qmp(socket(guest), execute)
    },
    async hmp(guest, command) {
      return String((await qmp(socket(guest), 'human-monitor-command', {'command-line': command}, SNAPSHOT_TIMEOUT_MS)) ?? '')
    },
    async tags(guest) {
      const infos = await Promise.all(guestDisks(paths, guest).map(qcow2Info))
      return infos[0].snapshots.map((s) => s.tag).filter((t) => infos.every((i) => i.snapshots.some((s) => s.tag === t)))
    },
    async diskUse(guest) {
      const infos = await Promise.all(guestDisks(paths, guest).map((f) => qcow2Info(f).catch(() => undefined)))
      const vmStateBytes: Record<string, number> = {}
      for (const s of infos[0]?.snapshots ?? []) vmStateBytes[s.tag] = s.vmStateBytes
      return {vmStateBytes, diskBytes: infos.reduce((sum, i) => sum + (i?.actualBytes ?? 0), 0)}
    },
    exec: (guest, command) => guestExec(guest, command, {connectTimeout: 5, timeoutMs: 30_000}, paths),
    now: () => Date.now(),
    sleep,
  }
}
