/**
 * The cluster file the lab writes for itself. Its key names are hapair's public contract
 * (src/config/schema.ts); the text is written by hand to keep the compact flow style people read.
 */
import {GUESTS, GUEST_DATA_DISK, GUEST_INTERFACE, PREFIX, SUBNET, VIP, type GuestSpec} from './topology.js'

export interface LabClusterFileInput {
  labDir: string
  identityFile: string
  knownHostsFile: string
  guests?: readonly GuestSpec[]
}

/** A YAML scalar: plain when that is unambiguous, else double-quoted (JSON strings are valid YAML). */
export function yamlScalar(value: string): string {
  return /^[A-Za-z0-9_./@+-][A-Za-z0-9_./@+ -]*$/.test(value) && !value.endsWith(' ') && !/^(true|false|null|yes|no|~)$/i.test(value)
    ? value
    : JSON.stringify(value)
}

/** The `ssh:` map every lab machine gets: root with the lab key, host keys from the lab's known_hosts. */
export function labSshYaml(identityFile: string, knownHostsFile: string): string {
  return `{ user: root, port: 22, identityFile: ${yamlScalar(identityFile)}, knownHostsFile: ${yamlScalar(knownHostsFile)} }`
}

export function clusterFileText(input: LabClusterFileInput): string {
  const q = yamlScalar
  const ssh = labSshYaml(input.identityFile, input.knownHostsFile)
  const nodes = (input.guests ?? GUESTS).flatMap((g) => [
    `  - name: ${g.name}`,
    `    address: ${g.address}`,
    `    ssh: ${ssh}`,
  ])
  return [
    '# Written by `hapair lab up` for the built-in QEMU lab. Run hapair in the lab network:',
    '#   ip netns exec hapair-client hapair ...   (or: hapair lab exec -- hapair ...)',
    'name: lab',
    'stack: keepalived',
    'nodes:',
    ...nodes,
    `vip: { address: ${VIP}, prefix: ${PREFIX}, interface: ${GUEST_INTERFACE} }`,
    `storage: { disk: ${GUEST_DATA_DISK}, partition: { number: 1, size: rest } }`,
    'drbd: { resource: r0, device: /dev/drbd0, port: 7788, protocol: C, syncRate: 100M }',
    'filesystem: { type: ext4, mountPoint: /data }',
    `nfs: { exports: [ { path: /data, clients: ${SUBNET}, options: [rw, sync, no_root_squash] } ] }`,
    'keepalived: { virtualRouterId: 51, advertInt: 1, preempt: true }',
    `lab: { dir: ${q(input.labDir)} }`,
    '',
  ].join('\n')
}
