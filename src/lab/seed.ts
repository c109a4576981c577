/**
 * The per-guest seed disk (/dev/vdc): a small ext4 image, made with `mkfs.ext4 -d` (no loop
 * mount), whose files/ tree hapair-seed.service copies over / before the network and sshd start.
 * Keys are generated on the host at `lab up` (kept only beside disks kept for their checkpoints), so the cached image holds no secret.
 */
import {chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {ALL_GUESTS, PREFIX, GUEST_INTERFACE, type GuestSpec} from './topology.js'
import {mustRun} from './run.js'

export interface SeedFile {
  /** Path inside the guest, relative to / */
  path: string
  mode: number
  content: string
}

/** Directories the seed tree creates, with the modes they must keep in the guest (cp -a copies them). */
export const SEED_DIR_MODES: Record<string, number> = {
  '': 0o755,
  etc: 0o755,
  'etc/ssh': 0o755,
  'etc/network': 0o755,
  root: 0o700,
  'root/.ssh': 0o700,
}

export function hostsFile(guests: readonly GuestSpec[] = ALL_GUESTS): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\t\tlocalhost ip6-localhost ip6-loopback']
  for (const g of guests) lines.push(`${g.address}\t${g.name}`)
  return lines.join('\n') + '\n'
}

/** Classic ifupdown static address, no gateway: the lab network routes nowhere. */
export function interfacesFile(guest: GuestSpec): string {
  return [
    'auto lo',
    'iface lo inet loopback',
    '',
    `auto ${GUEST_INTERFACE}`,
    `iface ${GUEST_INTERFACE} inet static`,
    `    address ${guest.address}/${PREFIX}`,
    '',
  ].join('\n')
}

export function seedFiles(guest: GuestSpec, keys: {hostKey: string; hostKeyPub: string; clientKeyPub: string}): SeedFile[] {
  return [
    {path: 'etc/hostname', mode: 0o644, content: `${guest.name}\n`},
    {path: 'etc/hosts', mode: 0o644, content: hostsFile()},
    {path: 'etc/network/interfaces', mode: 0o644, content: interfacesFile(guest)},
    {path: 'etc/ssh/ssh_host_ed25519_key', mode: 0o600, content: keys.hostKey},
    {path: 'etc/ssh/ssh_host_ed25519_key.pub', mode: 0o644, content: keys.hostKeyPub},
    {path: 'root/.ssh/authorized_keys', mode: 0o600, content: keys.clientKeyPub},
  ]
}

/** `ADDRESS TYPE KEY` lines, one per guest, for ssh's UserKnownHostsFile. */
export function knownHostsText(entries: {address: string; hostKeyPub: string}[]): string {
  return entries.map((e) => `${e.address} ${e.hostKeyPub.trim().split(/\s+/).slice(0, 2).join(' ')}\n`).join('')
}

/**
 * Generates an ed25519 key pair at `file` (and file.pub), replacing any old one; with reuse, an
 * existing pair is kept (guests restored from a checkpoint hold the old keys on their disks).
 */
export async function generateKey(file: string, comment: string, reuse = false): Promise<{privateKey: string; publicKey: string}> {
  if (reuse && existsSync(file) && existsSync(`${file}.pub`)) return {privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8')}
  rmSync(file, {force: true})
  rmSync(`${file}.pub`, {force: true})
  await mustRun(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file])
  return {privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8')}
}

/** Writes the tree under treeDir/files and packs it into seedImage. */
export async function writeSeedDisk(treeDir: string, seedImage: string, files: SeedFile[]): Promise<void> {
  rmSync(treeDir, {recursive: true, force: true})
  const root = join(treeDir, 'files')
  for (const [dir, mode] of Object.entries(SEED_DIR_MODES)) {
    mkdirSync(join(root, dir), {recursive: true})
    chmodSync(join(root, dir), mode)
  }
  for (const f of files) {
    mkdirSync(dirname(join(root, f.path)), {recursive: true})
    writeFileSync(join(root, f.path), f.content, {mode: f.mode})
    chmodSync(join(root, f.path), f.mode)
  }
  rmSync(seedImage, {force: true})
  await mustRun(['mkfs.ext4', '-q', '-F', '-L', 'hapair-seed', '-d', treeDir, seedImage, '8M'])
}
