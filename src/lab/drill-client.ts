/**
 * The lab's drill client: a third guest, not a cluster node, that runs a drill's client writer
 * over SSH (`drill.client` in the cluster file) with its own kernel NFS client, the set-up the
 * validator asks of a real site. Booted on demand, since most suites write from the host's client
 * namespace; `lab up` already made its tap, host key and known_hosts entry, `lab down` removes it.
 */
import {existsSync} from 'node:fs'
import {createGuestDisks, guestExec, killGuest, startGuest, waitForSsh} from './guest.js'
import {runningImage} from './lab.js'
import {guestPaths, labPaths, type LabPaths} from './paths.js'
import {describeFailure, LabError} from './run.js'
import {stderrLog, type LabLog} from './log.js'
import {labSshYaml} from './cluster-file.js'
import {DRILL_CLIENT} from './topology.js'

/**
 * Its NFS client (mount.nfs), from the image's local repository as the cluster's packages are.
 * netbase too: mount.nfs looks up "tcp" in /etc/protocols, which the minimal image lacks (the
 * cluster nodes get it with their HA packages).
 */
const INSTALL_NFS_CLIENT = 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nfs-common netbase'

/** Boots the drill client on a fresh root overlay and installs its NFS client; returns the times. */
export async function drillClientUp(options: {log?: LabLog; bootTimeoutMs?: number} = {}, paths: LabPaths = labPaths()): Promise<{bootMs: number; installMs: number}> {
  const log = options.log ?? stderrLog
  const {image, state} = runningImage(paths)
  if (!existsSync(guestPaths(paths, DRILL_CLIENT.name).seed)) {
    throw new LabError(`the running lab was brought up before it had a drill client (no seed disk for ${DRILL_CLIENT.name})`, 'run `hapair lab up` to start a new lab')
  }
  const started = Date.now()
  await killGuest(DRILL_CLIENT.name, paths)
  await createGuestDisks(DRILL_CLIENT, image, paths)
  const pid = await startGuest(DRILL_CLIENT, image, state.accel, paths)
  log(`${DRILL_CLIENT.name}: qemu started (pid ${pid}), serial log ${guestPaths(paths, DRILL_CLIENT.name).serialLog}`)
  await waitForSsh(DRILL_CLIENT.name, options.bootTimeoutMs ?? 240_000, paths)
  const bootMs = Date.now() - started
  const r = await guestExec(DRILL_CLIENT.name, INSTALL_NFS_CLIENT, {timeoutMs: 10 * 60_000}, paths)
  if (r.code !== 0) throw new LabError(`${DRILL_CLIENT.name}: installing its NFS client failed: ${describeFailure(r)}`)
  const installMs = Date.now() - started - bootMs
  log(`${DRILL_CLIENT.name}: up after ${(bootMs / 1000).toFixed(1)} s, NFS client installed in ${(installMs / 1000).toFixed(1)} s`)
  return {bootMs, installMs}
}

/** Powers the drill client off (its disks go with the next drillClientUp or `lab down`). */
export async function drillClientDown(paths: LabPaths = labPaths()): Promise<boolean> {
  return killGuest(DRILL_CLIENT.name, paths)
}

/** The cluster file's `drill:` line that sends the drill's writer to the drill client. */
export function drillClientYaml(paths: LabPaths = labPaths()): string {
  const ssh = labSshYaml(paths.key, paths.knownHosts)
  return `drill: { client: { name: ${DRILL_CLIENT.name}, address: ${DRILL_CLIENT.address}, ssh: ${ssh} } }`
}
