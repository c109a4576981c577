/**
 * The lab's life cycle: up (build or reuse the image, wire the network, seed and boot both
 * guests, write the cluster file), status, down (remove all of it and nothing else).
 */
import {existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {guestPaths, labPaths, type GuestPaths, type LabPaths} from './paths.js'
import {checkpointsDir, listCheckpointRecords} from './checkpoint-store.js'
import {baseImage, ensureImage, imageAt, isImageCached, currentRecipeHash, type BaseImage} from './image.js'
import {createNetwork, guestsIsolated, labNamespaces, removeNamespace, setGuestsIsolated} from './network.js'
import {createGuestDisks, keptDisksFit, guestPid, guestRunState, killGuest, labAccel, startGuest, waitForSsh, guestExec, type GuestRunState} from './guest.js'
import {generateKey, knownHostsText, seedFiles, writeSeedDisk} from './seed.js'
import {clusterFileText} from './cluster-file.js'
import {missingPrerequisites} from './prereq.js'
import {readState, writeState, type LabState} from './state.js'
import {ALL_GUESTS, DRILL_CLIENT, GUESTS, NETNS_CLIENT, NETNS_SWITCH, VIP, type GuestSpec} from './topology.js'
import {LabError} from './run.js'
import {stderrLog, type LabLog} from './log.js'
import type {Accel} from './qemu.js'

export interface LabUpOptions {
  /** Rebuild the base image even if the cache has it. */
  rebuild?: boolean
  log?: LabLog
  /** Longest wait for both guests to answer SSH. */
  bootTimeoutMs?: number
}

export interface LabUpResult {
  dir: string
  clusterFile: string
  identityFile: string
  knownHostsFile: string
  imageHash: string
  imageDir: string
  accel: Accel
  /** The image came from the cache (buildMs is then 0). */
  cached: boolean
  buildMs: number
  /** Time spent removing a previous or crashed lab first. */
  cleanupMs: number
  /** From the first guest file written to both guests answering SSH. */
  bootMs: number
  /** True when ensureLabUp() found a healthy lab and reused it. */
  reused: boolean
  guests: {name: string; address: string; pid: number}[]
  vip: string
  /** Prefix that runs a command in the client namespace, e.g. `ip netns exec hapair-client`. */
  clientCommand: string
}

export interface LabDownResult {
  teardownMs: number
  /** qemu and other processes killed, by pid. */
  killed: number[]
  namespaces: string[]
  /** Checkpoints left restorable after the next `lab up` (none with purge). */
  keptCheckpoints: string[]
}

export const CLIENT_COMMAND = `ip netns exec ${NETNS_CLIENT}`

function requirePrerequisites(build: boolean): void {
  const missing = missingPrerequisites({build})
  if (missing.length) throw new LabError(`the lab cannot run on this host; missing:\n  ${missing.join('\n  ')}`)
}

/**
 * Host keys, client key, known_hosts and seed disks for every guest (the drill client's too).
 * reuseKeys keeps the keys `lab down` left beside disks kept for their checkpoints.
 */
async function seedGuests(paths: LabPaths, log: LabLog, reuseKeys: boolean): Promise<void> {
  const client = await generateKey(paths.key, 'hapair-lab', reuseKeys)
  const known: {address: string; hostKeyPub: string}[] = []
  for (const guest of ALL_GUESTS) {
    const gp = guestPaths(paths, guest.name)
    mkdirSync(gp.dir, {recursive: true})
    const host = await generateKey(gp.hostKey, `${guest.name}-host`, reuseKeys)
    await writeSeedDisk(gp.seedTree, gp.seed, seedFiles(guest, {hostKey: host.privateKey, hostKeyPub: host.publicKey, clientKeyPub: client.publicKey}))
    known.push({address: guest.address, hostKeyPub: host.publicKey})
  }
  writeFileSync(paths.knownHosts, knownHostsText(known))
  log(`keys ${reuseKeys ? 'kept from the last lab (its checkpoints hold them)' : 'generated'}; known_hosts pins the guests' host keys`)
}

async function bootGuests(guests: readonly GuestSpec[], image: BaseImage, accel: Accel, paths: LabPaths, log: LabLog, timeoutMs: number) {
  const pids = []
  for (const guest of guests) {
    pids.push({name: guest.name, address: guest.address, pid: await startGuest(guest, image, accel, paths)})
    log(`${guest.name}: qemu started (pid ${pids.at(-1)!.pid}, -accel ${accel}), serial log ${guestPaths(paths, guest.name).serialLog}`)
  }
  await Promise.all(
    guests.map(async (g) => log(`${g.name}: SSH up after ${((await waitForSsh(g.name, timeoutMs, paths)) / 1000).toFixed(1)} s`)),
  )
  return pids
}

/** Boots a fresh lab, first removing whatever a previous (or crashed) lab left. */
export async function labUp(options: LabUpOptions = {}, paths: LabPaths = labPaths()): Promise<LabUpResult> {
  const log = options.log ?? stderrLog
  requirePrerequisites(Boolean(options.rebuild) || !isImageCached(baseImage(paths)))
  const running = readState(paths)?.imageHash
  const {image, cached, buildMs} = await ensureImage(paths, {rebuild: options.rebuild, log, keep: running ? [running] : []})
  const {teardownMs: cleanupMs} = await labDown({log, quiet: true}, paths)

  const started = Date.now()
  const accel = labAccel()
  mkdirSync(paths.dir, {recursive: true, mode: 0o700})
  const keptDisks = (await Promise.all(GUESTS.map((g) => keptDisksFit(g, image, paths)))).every(Boolean)
  await seedGuests(paths, log, keptDisks)
  for (const guest of GUESTS) await createGuestDisks(guest, image, paths)
  if (keptDisks) log('guest disks kept by `lab down` for their checkpoints: reverted to blank, checkpoints kept')
  await createNetwork()
  log(`network: bridge in netns ${NETNS_SWITCH}, client 192.168.77.1 in netns ${NETNS_CLIENT}`)
  writeState(paths, {imageHash: image.hash, imageDir: image.dir, accel, startedAt: new Date().toISOString()})
  const guests = await bootGuests(GUESTS, image, accel, paths, log, options.bootTimeoutMs ?? 240_000)
  writeFileSync(paths.clusterFile, clusterFileText({labDir: paths.dir, identityFile: paths.key, knownHostsFile: paths.knownHosts}))
  const bootMs = Date.now() - started
  log(`lab up in ${(bootMs / 1000).toFixed(1)} s; cluster file ${paths.clusterFile}`)
  return {
    dir: paths.dir, clusterFile: paths.clusterFile, identityFile: paths.key, knownHostsFile: paths.knownHosts,
    imageHash: image.hash, imageDir: image.dir, accel, cached, buildMs, cleanupMs, bootMs, reused: false,
    guests, vip: VIP, clientCommand: CLIENT_COMMAND,
  }
}

/**
 * The files and directories `lab up` creates in the runtime dir (all that `lab down` deletes).
 * Checkpoints live inside the guests' disks and need the keys those disks trust: with keep, the
 * disks, host keys and client key stay (and the checkpoint records).
 */
function runtimeEntries(paths: LabPaths, keep: boolean): string[] {
  const kept = (gp: GuestPaths) => [gp.overlay, gp.data, gp.hostKey, `${gp.hostKey}.pub`]
  const guestEntries = ALL_GUESTS.flatMap((g) => {
    const gp = guestPaths(paths, g.name)
    if (!keep || !GUESTS.includes(g) || !existsSync(gp.dir)) return [gp.dir]
    return readdirSync(gp.dir).map((f) => join(gp.dir, f)).filter((f) => !kept(gp).includes(f))
  })
  return [
    ...guestEntries,
    `${paths.dir}/ns`,
    ...(keep ? [] : [paths.key, `${paths.key}.pub`, checkpointsDir(paths)]),
    paths.knownHosts, paths.clusterFile, paths.stateFile,
  ]
}

/** Removes everything the lab made: qemu and namespace processes (by pid), namespaces, taps, files. */
export async function labDown(options: {log?: LabLog; quiet?: boolean; purge?: boolean} = {}, paths: LabPaths = labPaths()): Promise<LabDownResult> {
  const log = options.log ?? stderrLog
  const started = Date.now()
  const killed: number[] = []
  for (const guest of ALL_GUESTS) {
    const pid = guestPid(guest.name, paths)
    if (await killGuest(guest.name, paths)) killed.push(pid!)
  }
  // Deleting a namespace takes its taps and veths with it; whatever still runs inside is ours.
  const namespaces = await labNamespaces()
  for (const ns of namespaces) killed.push(...(await removeNamespace(ns)))
  const keptCheckpoints = options.purge ? [] : listCheckpointRecords(paths).map((c) => c.name)
  for (const entry of runtimeEntries(paths, keptCheckpoints.length > 0)) rmSync(entry, {recursive: true, force: true})
  if (existsSync(paths.dir) && readdirSync(paths.dir).length === 0) rmdirSync(paths.dir)
  const teardownMs = Date.now() - started
  if (!options.quiet || killed.length || namespaces.length) {
    log(`lab down in ${(teardownMs / 1000).toFixed(1)} s: killed ${killed.length ? killed.join(' ') : 'nothing'}; removed namespaces ${namespaces.join(' ') || 'none'}`)
  }
  if (keptCheckpoints.length && !options.quiet) log(`kept checkpoints ${keptCheckpoints.join(' ')} and the disks and keys they need (\`lab down --purge\` removes them)`)
  return {teardownMs, killed, namespaces, keptCheckpoints}
}

export interface GuestStatus {
  name: string
  address: string
  pid: number | null
  state: GuestRunState
  /** Answered SSH with its pinned host key (only when probed). */
  ssh?: boolean
}

export interface LabStatus {
  /** Both guests running and the network in place. */
  up: boolean
  dir: string
  clusterFile: string | null
  imageHash: string | null
  accel: Accel | null
  namespaces: string[]
  /** A split brain (isolated guest ports) is in force. */
  split: boolean
  guests: GuestStatus[]
}

export async function labStatus(options: {probeSsh?: boolean} = {}, paths: LabPaths = labPaths()): Promise<LabStatus> {
  const state = readState(paths)
  const namespaces = await labNamespaces()
  const network = namespaces.includes(NETNS_SWITCH) && namespaces.includes(NETNS_CLIENT)
  const guests = await Promise.all(
    GUESTS.map(async (g): Promise<GuestStatus> => {
      const state = await guestRunState(g.name, paths)
      const status: GuestStatus = {name: g.name, address: g.address, pid: guestPid(g.name, paths) ?? null, state}
      if (options.probeSsh) status.ssh = network && state === 'running' && (await guestExec(g.name, 'true', {connectTimeout: 3, timeoutMs: 10_000}, paths)).code === 0
      return status
    }),
  )
  return {
    up: network && guests.every((g) => g.state === 'running') && existsSync(paths.clusterFile),
    dir: paths.dir,
    clusterFile: existsSync(paths.clusterFile) ? paths.clusterFile : null,
    imageHash: state?.imageHash ?? null,
    accel: state?.accel ?? null,
    namespaces,
    split: network ? await guestsIsolated() : false,
    guests,
  }
}

/** The image a running lab booted from; powering a guest back on must use the same one. */
export function runningImage(paths: LabPaths = labPaths()): {image: BaseImage; state: LabState} {
  const state = readState(paths)
  if (!state) throw new LabError(`no lab is up (no ${paths.stateFile}): run \`hapair lab up\``)
  return {image: imageAt(state.imageDir, state.imageHash), state}
}

/**
 * Gives both guests a fresh root overlay and a blank data disk, keeping network, keys and
 * cluster file: other suites call this to start from blank disks without a full `lab up`.
 */
export async function resetGuests(options: {log?: LabLog; bootTimeoutMs?: number} = {}, paths: LabPaths = labPaths()): Promise<{bootMs: number}> {
  const log = options.log ?? stderrLog
  const {image, state} = runningImage(paths)
  const started = Date.now()
  await setGuestsIsolated(false)
  await killGuest(DRILL_CLIENT.name, paths) // booted on demand by the suite that needs it
  for (const guest of GUESTS) {
    await killGuest(guest.name, paths)
    await createGuestDisks(guest, image, paths)
  }
  log('guests reset: fresh root overlays and blank data disks')
  await bootGuests(GUESTS, image, state.accel, paths, log, options.bootTimeoutMs ?? 240_000)
  return {bootMs: Date.now() - started}
}

/**
 * Reuses a healthy running lab (same image recipe, both guests answering SSH), else boots one.
 * With fresh: true a reused lab gets blank disks first (resetGuests).
 */
export async function ensureLabUp(options: LabUpOptions & {fresh?: boolean} = {}, paths: LabPaths = labPaths()): Promise<LabUpResult> {
  const status = await labStatus({probeSsh: true}, paths)
  const state = readState(paths)
  const healthy = status.up && status.guests.every((g) => g.ssh) && state?.imageHash === currentRecipeHash()
  if (!healthy || options.rebuild) return labUp(options, paths)
  let bootMs = 0
  if (options.fresh) bootMs = (await resetGuests(options, paths)).bootMs
  else if (status.split) await setGuestsIsolated(false)
  return {
    dir: paths.dir, clusterFile: paths.clusterFile, identityFile: paths.key, knownHostsFile: paths.knownHosts,
    imageHash: state.imageHash, imageDir: state.imageDir, accel: state.accel, cached: true, buildMs: 0, cleanupMs: 0,
    bootMs, reused: true,
    guests: GUESTS.map((g) => ({name: g.name, address: g.address, pid: guestPid(g.name, paths)!})),
    vip: VIP, clientCommand: CLIENT_COMMAND,
  }
}

