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

/** Its NFS client comes with its root image (client-root.img; see assets/build-image.sh). */
const HAS_NFS_CLIENT = 'command -v mount.nfs >/dev/null && test -s /etc/protocols'

/** Boots the drill client on a fresh root overlay; returns the time to SSH. */
export async function drillClientUp(options: {log?: LabLog; bootTimeoutMs?: number} = {}, paths: LabPaths = labPaths()): Promise<{bootMs: number}> {
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
  const r = await guestExec(DRILL_CLIENT.name, HAS_NFS_CLIENT, {timeoutMs: 60_000}, paths)
  if (r.code !== 0) throw new LabError(`${DRILL_CLIENT.name}: its image has no NFS client (mount.nfs, /etc/protocols): ${describeFailure(r)}`, 'rebuild the lab image: `hapair lab up --rebuild`')
  log(`${DRILL_CLIENT.name}: up after ${(bootMs / 1000).toFixed(1)} s`)
  return {bootMs}
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
