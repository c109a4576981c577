/**
 * The cached base image: built once by assets/build-image.sh (debootstrap + Debian kernel +
 * local apt repository + busybox initramfs), stored under <cache>/<recipe-hash>/.
 */
import {existsSync, readdirSync, readFileSync, renameSync, rmSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {assetsDir, type LabPaths} from './paths.js'
import type {GuestSpec} from './topology.js'
import {DEFAULT_MIRRORS, mirrorsFromSources, RECIPE, recipeEnv, recipeHash, type Mirrors} from './recipe.js'
import {LabError, describeFailure, run} from './run.js'
import {stderrLog, type LabLog} from './log.js'

export interface BaseImage {
  hash: string
  dir: string
  rootImage: string
  /** root.img plus the drill client's NFS client (nfs-common, netbase), built from the same tree. */
  clientRootImage: string
  kernel: string
  initrd: string
}

export interface EnsureImageResult {
  image: BaseImage
  cached: boolean
  /** Time spent building; 0 when the cache already had the image. */
  buildMs: number
}

const BUILD_FILES = ['root.img', 'client-root.img', 'vmlinuz', 'initrd.img', 'manifest.json']

function assetContents(): Record<string, Buffer> {
  const dir = assetsDir()
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f))]))
}

export function currentRecipeHash(): string {
  return recipeHash(RECIPE, assetContents())
}

export function baseImage(paths: LabPaths, hash = currentRecipeHash()): BaseImage {
  return imageAt(join(paths.cache, hash), hash)
}

/** The image a running lab was booted from (its dir is recorded in lab.json). */
export function imageAt(dir: string, hash: string): BaseImage {
  return {hash, dir, rootImage: join(dir, 'root.img'), clientRootImage: join(dir, 'client-root.img'), kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img')}
}

/** The root image a guest boots over (see GuestSpec.root). */
export function rootImageOf(guest: Pick<GuestSpec, 'root'>, image: BaseImage): string {
  return guest.root === 'client' ? image.clientRootImage : image.rootImage
}

export function isImageCached(image: BaseImage): boolean {
  return BUILD_FILES.every((f) => existsSync(join(image.dir, f)))
}

function hostMirrors(): Mirrors {
  if (process.env.HAPAIR_LAB_MIRROR) {
    const mirror = process.env.HAPAIR_LAB_MIRROR.replace(/\/+$/, '')
    return {mirror, securityMirror: process.env.HAPAIR_LAB_SECURITY_MIRROR ?? DEFAULT_MIRRORS.securityMirror}
  }
  const files = ['/etc/apt/sources.list', '/etc/apt/sources.list.d/debian.sources']
  const text = files.filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8')).join('\n')
  return mirrorsFromSources(text) ?? DEFAULT_MIRRORS
}

/** A build dir left by a build that died (its pid is gone) is removed before building again. */
function removeDeadBuilds(cache: string): void {
  for (const entry of readdirSync(cache)) {
    const m = /\.(build|old)-(\d+)$/.exec(entry)
    if (m && !existsSync(`/proc/${m[2]}`)) rmSync(join(cache, entry), {recursive: true, force: true})
  }
}

/** Images of older recipes are dead weight (about 600 MB each): drop them after a new build. */
function removeOtherImages(cache: string, keep: string[], log: LabLog): void {
  for (const entry of readdirSync(cache)) {
    if (/^[0-9a-f]{16}$/.test(entry) && !keep.includes(entry)) {
      rmSync(join(cache, entry), {recursive: true, force: true})
      log(`removed the image of an older recipe: ${join(cache, entry)}`)
    }
  }
}

/** Returns the cached image for the current recipe, building it first when missing (minutes). */
export async function ensureImage(
  paths: LabPaths,
  options: {rebuild?: boolean; log?: LabLog; keep?: string[]} = {},
): Promise<EnsureImageResult> {
  const log = options.log ?? stderrLog
  const image = baseImage(paths)
  if (!options.rebuild && isImageCached(image)) return {image, cached: true, buildMs: 0}

  const started = Date.now()
  mkdirSync(paths.cache, {recursive: true})
  removeDeadBuilds(paths.cache)
  const work = `${image.dir}.build-${process.pid}`
  rmSync(work, {recursive: true, force: true})
  mkdirSync(work)
  const mirrors = hostMirrors()
  log(`building base image ${image.hash} from ${mirrors.mirror} (a few minutes, once)`)
  // A private mount namespace: the chroot's /proc, /sys and /dev mounts vanish with the build.
  const result = await run(
    ['unshare', '--mount', '--propagation', 'private', 'bash', join(assetsDir(), 'build-image.sh'), work],
    {env: recipeEnv(RECIPE, mirrors), onLine: (line) => log(`build: ${line}`)},
  )
  if (result.code !== 0) {
    rmSync(work, {recursive: true, force: true})
    throw new LabError(`building the lab image failed: ${describeFailure(result)}`)
  }
  // Swap the new image in; a guest still running on the old files keeps them open until it stops.
  if (existsSync(image.dir)) {
    renameSync(image.dir, `${image.dir}.old-${process.pid}`)
    rmSync(`${image.dir}.old-${process.pid}`, {recursive: true, force: true})
  }
  try {
    renameSync(work, image.dir)
  } catch (err) {
    // Another `lab up` finished the same build first: keep its image.
    rmSync(work, {recursive: true, force: true})
    if (!isImageCached(image)) throw err
  }
  removeOtherImages(paths.cache, [image.hash, ...(options.keep ?? [])], log)
  const buildMs = Date.now() - started
  log(`base image ready in ${(buildMs / 1000).toFixed(1)} s: ${image.dir}`)
  return {image, cached: false, buildMs}
}
