/** One lab guest: its disks, its qemu process (by pid file), its QMP socket and SSH access. */
import {existsSync, mkdirSync, readFileSync, rmSync} from 'node:fs'
import {guestPaths, labPaths, type LabPaths} from './paths.js'
import {qemuArgv, type Accel} from './qemu.js'
import {qmp} from './qmp.js'
import {applyDiskSnapshot, createDiskSnapshot, qcow2Info} from './qcow2.js'
import {isAlive, killPid, processArgv, readPidFile} from './process.js'
import {inNamespace, clientExec} from './network.js'
import {LabError, describeFailure, mustRun, run, sleep, type RunOptions, type RunResult} from './run.js'
import {NETNS_SWITCH, guestSpec, type GuestSpec} from './topology.js'
import {rootImageOf, type BaseImage} from './image.js'

export const GUEST_MEMORY_MIB = 512
export const DATA_DISK_SIZE = '256M'

/** Software emulation unless HAPAIR_LAB_ACCEL=kvm: KVM does not run ordinary guests on these hosts. */
export function labAccel(env: NodeJS.ProcessEnv = process.env): Accel {
  return env.HAPAIR_LAB_ACCEL === 'kvm' ? 'kvm' : 'tcg'
}

/** The guest's qemu pid, only if the pid file names a live qemu started with that pid file. */
export function guestPid(name: string, paths: LabPaths = labPaths()): number | undefined {
  const gp = guestPaths(paths, name)
  const pid = readPidFile(gp.pidFile)
  if (pid === undefined || !isAlive(pid)) return undefined
  const argv = processArgv(pid)
  return argv.some((a) => a.includes('qemu-system')) && argv.includes(gp.pidFile) ? pid : undefined
}

/** Disk-only snapshot taken of both disks right after they are made: "fresh guest", for reuse. */
export const BLANK_TAG = 'hapair-blank'

/**
 * The disks `lab down` kept because checkpoints live in them fit this image: the root overlay
 * sits on its root.img and both disks still hold the blank snapshot.
 */
export async function keptDisksFit(guest: GuestSpec, image: BaseImage, paths: LabPaths): Promise<boolean> {
  const gp = guestPaths(paths, guest.name)
  if (!existsSync(gp.overlay) || !existsSync(gp.data)) return false
  try {
    const [root, data] = await Promise.all([qcow2Info(gp.overlay), qcow2Info(gp.data)])
    return root.backingFile === rootImageOf(guest, image) && [root, data].every((d) => d.snapshots.some((s) => s.tag === BLANK_TAG))
  } catch {
    return false
  }
}

/**
 * A fresh copy-on-write root over the cached image and a blank qcow2 data disk. Disks kept for
 * their checkpoints are reverted to their blank snapshot instead, so the checkpoints stay.
 */
export async function createGuestDisks(guest: GuestSpec, image: BaseImage, paths: LabPaths): Promise<'made' | 'reverted'> {
  const gp = guestPaths(paths, guest.name)
  mkdirSync(gp.dir, {recursive: true})
  if (await keptDisksFit(guest, image, paths)) {
    for (const disk of [gp.overlay, gp.data]) await applyDiskSnapshot(disk, BLANK_TAG)
    return 'reverted'
  }
  rmSync(gp.overlay, {force: true})
  rmSync(gp.data, {force: true})
  await mustRun(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', rootImageOf(guest, image), '-F', 'raw', gp.overlay])
  await mustRun(['qemu-img', 'create', '-q', '-f', 'qcow2', gp.data, DATA_DISK_SIZE])
  for (const disk of [gp.overlay, gp.data]) await createDiskSnapshot(disk, BLANK_TAG)
  return 'made'
}

/** Powers the guest on (qemu daemonizes once the machine exists; the boot goes on after). */
/** Boots a guest; with `stopped`, its vCPU waits (qemu -S) for a loadvm and a `cont` instead. */
export async function startGuest(guest: GuestSpec, image: BaseImage, accel: Accel, paths: LabPaths = labPaths(), options: {stopped?: boolean} = {}): Promise<number> {
  const gp = guestPaths(paths, guest.name)
  if (guestPid(guest.name, paths)) throw new LabError(`${guest.name} is already running`)
  rmSync(gp.qmpSocket, {force: true})
  rmSync(gp.pidFile, {force: true})
  const argv = qemuArgv({
    guest, accel, memoryMiB: GUEST_MEMORY_MIB,
    kernel: image.kernel, initrd: image.initrd,
    overlay: gp.overlay, data: gp.data, seed: gp.seed,
    pidFile: gp.pidFile, qmpSocket: gp.qmpSocket, serialLog: gp.serialLog,
    stopped: options.stopped,
  })
  // qemu runs in the switch namespace, where its tap is. Right after the previous qemu of this
  // guest was killed the kernel may not have let go of the tap yet ("Device or resource busy",
  // seen once when a reset followed the drills' power cycles): try again for a few seconds.
  for (let attempt = 1; ; attempt++) {
    const r = await run(inNamespace(NETNS_SWITCH, argv))
    if (r.code === 0) break
    if (attempt >= 10 || !/Device or resource busy/.test(r.stderr)) throw new LabError(describeFailure(r))
    await sleep(1000)
  }
  const pid = guestPid(guest.name, paths)
  if (!pid) throw new LabError(`${guest.name}: qemu started but its pid file ${gp.pidFile} names no live qemu`)
  return pid
}

/** Pulls the plug: SIGKILL to qemu, by its pid file. Unflushed guest writes are lost, as in a power cut. */
export async function killGuest(name: string, paths: LabPaths = labPaths()): Promise<boolean> {
  const gp = guestPaths(paths, name)
  const pid = guestPid(name, paths)
  if (pid && !(await killPid(pid, 'SIGKILL'))) throw new LabError(`${name}: qemu pid ${pid} did not die`)
  rmSync(gp.pidFile, {force: true})
  rmSync(gp.qmpSocket, {force: true})
  return pid !== undefined
}

export type GuestRunState = 'off' | 'running' | 'paused' | 'other'

export async function guestRunState(name: string, paths: LabPaths = labPaths()): Promise<GuestRunState> {
  if (!guestPid(name, paths)) return 'off'
  try {
    const r = (await qmp(guestPaths(paths, name).qmpSocket, 'query-status')) as {status: string}
    return r.status === 'running' ? 'running' : r.status === 'paused' ? 'paused' : 'other'
  } catch {
    return 'other'
  }
}

/** ssh argv (run it in the client namespace) that trusts only the lab's known_hosts. */
export function sshArgv(address: string, paths: LabPaths, command: string[] = [], options: {tty?: boolean; connectTimeout?: number} = {}): string[] {
  return [
    'ssh', '-F', '/dev/null',
    '-i', paths.key, '-o', 'IdentitiesOnly=yes',
    '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${paths.knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', `ConnectTimeout=${options.connectTimeout ?? 10}`, '-o', 'LogLevel=ERROR',
    ...(options.tty ? ['-t'] : ['-o', 'BatchMode=yes']),
    `root@${address}`,
    ...(command.length ? ['--', ...command] : []),
  ]
}

/** Runs a shell command on a guest over SSH from the client namespace. */
export function guestExec(name: string, command: string, options: RunOptions & {connectTimeout?: number} = {}, paths: LabPaths = labPaths()): Promise<RunResult> {
  return clientExec(sshArgv(guestSpec(name).address, paths, [command], {connectTimeout: options.connectTimeout}), options)
}

export function serialTail(name: string, paths: LabPaths = labPaths(), lines = 25): string {
  const file = guestPaths(paths, name).serialLog
  if (!existsSync(file)) return '(no serial log)'
  return readFileSync(file, 'utf8').replace(/\r/g, '').trimEnd().split('\n').slice(-lines).join('\n')
}

/** Waits until the guest answers SSH with its seeded host key; returns the time it took. */
export async function waitForSsh(name: string, timeoutMs = 180_000, paths: LabPaths = labPaths()): Promise<number> {
  const started = Date.now()
  for (;;) {
    const r = await guestExec(name, 'true', {connectTimeout: 3, timeoutMs: 15_000}, paths)
    if (r.code === 0) return Date.now() - started
    if (!guestPid(name, paths)) throw new LabError(`${name}: qemu exited during boot. Serial console:\n${serialTail(name, paths)}`)
    if (Date.now() - started > timeoutMs) {
      throw new LabError(`${name}: no SSH after ${timeoutMs / 1000} s (${r.stderr.trim()}). Serial console:\n${serialTail(name, paths)}`)
    }
    await sleep(1000)
  }
}
