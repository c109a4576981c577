import {test} from 'node:test'
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {existsSync} from 'node:fs'
import {ALL_GUESTS, DRILL_CLIENT, GUESTS, guestSpec, CLIENT_ADDRESS, VIP} from '../../../src/lab/topology.js'
import {clusterFileText} from '../../../src/lab/cluster-file.js'
import {drillClientYaml} from '../../../src/lab/drill-client.js'
import {parseClusterText} from '../../../src/config/load.js'
import {labPaths, guestPaths, packageRoot, assetsDir} from '../../../src/lab/paths.js'
import {faultNeedsNode, FAULTS} from '../../../src/lab/faults.js'
import {sshArgv} from '../../../src/lab/guest.js'
import {addNamespaceNode} from '../../../src/lab/network.js'

test('two cluster guests and a drill client on one /24 with the client namespace and the VIP, distinct MACs and taps', () => {
  assert.deepEqual(GUESTS.map((g) => g.name), ['node1', 'node2'])
  assert.deepEqual(ALL_GUESTS.map((g) => g.name), ['node1', 'node2', 'client1'])
  const addresses = [...ALL_GUESTS.map((g) => g.address), CLIENT_ADDRESS, VIP]
  assert.ok(addresses.every((a) => a.startsWith('192.168.77.')))
  assert.equal(new Set(addresses).size, addresses.length)
  assert.equal(new Set(ALL_GUESTS.map((g) => g.mac)).size, 3)
  assert.equal(new Set(ALL_GUESTS.map((g) => g.tap)).size, 3)
  assert.equal(guestSpec('client1'), DRILL_CLIENT)
  assert.throws(() => guestSpec('node3'), /unknown lab guest "node3"/)
})

test("the lab's cluster file with the drill client line is valid and sends the drill's writer to client1", () => {
  const paths = labPaths({HAPAIR_LAB_DIR: '/tmp/l'})
  const text = clusterFileText({labDir: paths.dir, identityFile: paths.key, knownHostsFile: paths.knownHosts}) + drillClientYaml(paths) + '\n'
  const {config, problems} = parseClusterText(text)
  assert.deepEqual(problems, [])
  const client = config!.drill.client
  assert.ok(client !== 'local')
  assert.deepEqual([client.name, client.address, client.ssh.user, client.ssh.identityFile, client.ssh.knownHostsFile], ['client1', '192.168.77.31', 'root', '/tmp/l/id_ed25519', '/tmp/l/known_hosts'])
})

test('lab paths default to /var/lib and /var/cache and follow the environment', () => {
  assert.equal(labPaths({}).dir, '/var/lib/hapair-lab')
  assert.equal(labPaths({}).cache, '/var/cache/hapair-lab')
  const p = labPaths({HAPAIR_LAB_DIR: '/tmp/l', HAPAIR_LAB_CACHE: '/tmp/c'})
  assert.equal(p.clusterFile, '/tmp/l/hapair.yaml')
  assert.equal(p.key, '/tmp/l/id_ed25519')
  assert.equal(p.cache, '/tmp/c')
  assert.equal(guestPaths(p, 'node2').pidFile, '/tmp/l/node2/qemu.pid')
})

test('assets resolve from the package root, in src/lab/assets', () => {
  assert.ok(existsSync(join(packageRoot(), 'package.json')))
  assert.ok(existsSync(join(assetsDir(), 'build-image.sh')))
})

test('ssh trusts only the lab known_hosts and key', () => {
  const argv = sshArgv('192.168.77.11', labPaths({HAPAIR_LAB_DIR: '/tmp/l'}), ['uname', '-n'])
  assert.ok(argv.includes('StrictHostKeyChecking=yes'))
  assert.ok(argv.includes('UserKnownHostsFile=/tmp/l/known_hosts'))
  assert.deepEqual(argv.slice(-4), ['root@192.168.77.11', '--', 'uname', '-n'])
  assert.ok(argv.includes('BatchMode=yes'))
})

test('node-less faults are exactly the network-wide ones', () => {
  assert.deepEqual(FAULTS.filter((f) => !faultNeedsNode(f)), ['split', 'heal', 'restore'])
})

test("a namespace node cannot take a guest's, the client's or the VIP's address (the drill client's included)", async () => {
  for (const address of [DRILL_CLIENT.address, '192.168.77.11', CLIENT_ADDRESS, VIP]) {
    await assert.rejects(addNamespaceNode({name: 'rs1', address}, labPaths({HAPAIR_LAB_DIR: '/tmp/l'})), /belongs to a lab guest, the client namespace or the VIP/)
  }
})
