/**
 * Example values for every key of the cluster file, so each problem can end with a fix the user
 * can paste: "add `virtualRouterId: 51` under `keepalived`". Looked up by the path with list
 * indexes dropped (`nodes[].address`), then by the key alone.
 */

const BY_PATH: Record<string, string> = {
  name: 'nfs-ha',
  stack: 'keepalived',
  nodes: '[ { name: node1, address: 192.168.1.151 }, { name: node2, address: 192.168.1.152 } ]',
  'nodes[]': '{ name: node1, address: 192.168.1.151 }',
  'nodes[].name': 'node1',
  'nodes[].address': '192.168.1.151',
  'nodes[].ip': '192.168.1.151',
  'nodes[].replicationAddress': '10.0.0.1',
  'nodes[].ssh.proxyJump': 'admin@bastion.example.com',
  vip: '{ address: 192.168.1.200, prefix: 24, interface: eth0 }',
  'vip.address': '192.168.1.200',
  storage: '{ disk: /dev/sdb, partition: { number: 1, size: 10G } }',
  'storage.disk': '/dev/sdb',
  'storage.partition': '{ number: 1, size: 10G }',
  'storage.partition.size': '10G',
  drbd: '{ resource: r0, device: /dev/drbd0, port: 7788, protocol: C }',
  'drbd.port': '7788',
  filesystem: '{ type: ext4, mountPoint: /data }',
  'filesystem.type': 'ext4',
  nfs: '{ exports: [ { path: /data, clients: 192.168.1.0/24 } ] }',
  'nfs.exports': '[ { path: /data, clients: 192.168.1.0/24 } ]',
  'nfs.exports[]': '{ path: /data, clients: 192.168.1.0/24 }',
  'nfs.exports[].path': '/data',
  keepalived: '{ virtualRouterId: 51 }',
  'keepalived.mcastGroup': '224.0.0.33',
  heartbeat: '{ deadtime: 5, ping: 192.168.1.1 }',
  'heartbeat.ping': '192.168.1.1',
  pacemaker: '{ clusterName: hapair, fencing: { devices: [ { node: node1, ip: 192.168.1.201, username: admin }, { node: node2, ip: 192.168.1.202, username: admin } ] } }',
  'pacemaker.fencing.delay': '{ static: 10 }',
  'pacemaker.fencing.devices[]': '{ node: node1, ip: 192.168.1.201, username: admin }',
  'pacemaker.fencing.devices[].ip': '192.168.1.201',
  'pacemaker.quorumDevice': '{ host: 192.168.1.160 }',
  'pacemaker.quorumDevice.host': '192.168.1.160',
  lvs: '{ port: 80, realServers: [ { name: web1, address: 192.168.1.161 }, { name: web2, address: 192.168.1.162 } ] }',
  'lvs.port': '80',
  'lvs.protocol': 'TCP',
  'lvs.realServers': '[ { name: web1, address: 192.168.1.161 }, { name: web2, address: 192.168.1.162 } ]',
  'lvs.realServers[]': '{ name: web1, address: 192.168.1.161 }',
  'lvs.realServers[].name': 'web1',
  'lvs.realServers[].address': '192.168.1.161',
  'lvs.realServers[].port': '80',
  'lvs.healthCheck': '{ path: /, statusCode: 200 }',
  'lvs.healthCheck.path': '/',
  'lvs.healthCheck.connectTimeout': '3',
  'lvs.healthCheck.type': 'HTTP_GET',
  'lvs.healthCheck.delayBeforeRetry': '3',
  'lvs.persistenceTimeout': '300',
  'lvs.chkDown': '{ weight: -15, fall: 2, rise: 1 }',
  'lvs.chkDown.weight': '-15',
  'lvs.syncDaemon': '{ interface: eth0, id: 0 }',
  'lvs.syncDaemon.interface': 'eth0',
  drill: '{ client: local }',
  'drill.client': '{ name: client1, address: 192.168.1.160 }',
  'drill.client.name': 'client1',
  'drill.client.address': '192.168.1.160',
  lab: '{ dir: /var/lib/hapair-lab }',
}

const BY_KEY: Record<string, string> = {
  address: '192.168.1.151',
  priority: '100',
  ssh: '{ user: root, port: 22, identityFile: ~/.ssh/id_ed25519 }',
  user: 'root',
  port: '22',
  identityFile: '~/.ssh/id_ed25519',
  knownHostsFile: '~/.ssh/known_hosts',
  hostKey: 'SHA256:<43 characters as ssh-keygen -lf prints them>',
  connectTimeout: '15',
  prefix: '24',
  interface: 'eth0',
  number: '1',
  resource: 'r0',
  device: '/dev/drbd0',
  protocol: 'C',
  syncRate: '100M',
  mountPoint: '/data',
  clients: '192.168.1.0/24',
  options: '[rw, sync, no_root_squash]',
  leaseTime: '10',
  graceTime: '10',
  virtualRouterId: '51',
  advertInt: '1',
  preempt: 'true',
  unicast: 'true',
  keepalive: '1',
  deadtime: '5',
  warntime: '3',
  initdead: '20',
  udpPort: '694',
  autoFailback: 'false',
  clusterName: 'hapair',
  transport: 'knet',
  stickiness: '100',
  token: '3000',
  username: 'admin',
  ipport: '623',
  scheduler: 'rr',
  kind: 'DR',
  weight: '1',
  statusCode: '200',
  retries: '3',
  delayLoop: '6',
  maintenanceFile: '/etc/keepalived/down',
  writeIntervalMs: '100',
  timeoutSeconds: '120',
  dir: '/var/lib/hapair-lab',
  path: '/data',
}

/** Fixes for values whose example alone does not say enough. */
const FIX: Record<string, string> = {
  'storage.partition.size': 'write a size like `size: 10G` or `size: 10GiB` (binary units: both are 10 GiB), or `size: rest` for the rest of the disk',
  'nfs.exports[].options[]': 'use exports(5) options, one per list item, e.g. `options: [rw, sync, no_root_squash]`',
  'nfs.exports[].options': 'write a list of exports(5) options, e.g. `options: [rw, sync, no_root_squash]`',
  'drill.client': 'write `client: local` (the machine running hapair) or `client: { name: client1, address: 192.168.1.160 }`',
  'nodes[].address': 'write the address SSH dials: an IPv4 or IPv6 address or a host name, e.g. `address: 192.168.1.151` or `address: node1.example.com`',
  'nodes[].name': 'write the node\'s host name exactly as `uname -n` prints it on that node, e.g. `name: node1`',
  'pacemaker.fencing':
    'add `fencing: { devices: [ { node: node1, ip: <its BMC>, username: admin }, { node: node2, ip: <its BMC>, username: admin } ] }` (the passwords go under `fencePasswords:` in the secrets file), or write `fencing: none` to run without fencing: a cut between the nodes then leaves both serving (split brain)',
  'nodes[].ssh.hostKey': 'write the fingerprint `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` prints on the node, e.g. `hostKey: SHA256:...`, or remove it to use known_hosts',
}

export function fixFor(path: string): string | undefined {
  return FIX[genericPath(path)]
}

/** `nodes[1].ssh.port` -> `nodes[].ssh.port` */
export function genericPath(path: string): string {
  return path.replace(/\[\d+\]/g, '[]')
}

export function exampleFor(path: string): string | undefined {
  const generic = genericPath(path)
  const key = generic.replace(/^.*\./, '').replace(/\[\]$/, '')
  return BY_PATH[generic] ?? BY_KEY[key]
}

/** "`port: 22`", or undefined when there is no example for the key. */
export function exampleLine(path: string): string | undefined {
  const example = exampleFor(path)
  const key = lastKey(path)
  if (example === undefined) return undefined
  return /\[\d+\]$/.test(path) ? `\`- ${example}\`` : `\`${key}: ${example}\``
}

export function lastKey(path: string): string {
  return path.replace(/\[\d+\]$/, '').replace(/^.*\./, '')
}
