import {test} from 'node:test'
import assert from 'node:assert/strict'
import {parse} from 'yaml'
import {clusterFileText, yamlScalar} from '../../../src/lab/cluster-file.js'
import {clusterSchema} from '../../../src/config/schema.js'

const input = {labDir: '/var/lib/hapair-lab', identityFile: '/var/lib/hapair-lab/id_ed25519', knownHostsFile: '/var/lib/hapair-lab/known_hosts'}
const ssh = {user: 'root', port: 22, identityFile: input.identityFile, knownHostsFile: input.knownHostsFile}

test('the lab cluster file has exactly the contracted shape', () => {
  assert.deepEqual(parse(clusterFileText(input)), {
    name: 'lab',
    stack: 'keepalived',
    nodes: [
      {name: 'node1', address: '192.168.77.11', ssh},
      {name: 'node2', address: '192.168.77.12', ssh},
    ],
    vip: {address: '192.168.77.100', prefix: 24, interface: 'eth0'},
    storage: {disk: '/dev/vdb', partition: {number: 1, size: 'rest'}},
    drbd: {resource: 'r0', device: '/dev/drbd0', port: 7788, protocol: 'C', syncRate: '100M'},
    filesystem: {type: 'ext4', mountPoint: '/data'},
    nfs: {exports: [{path: '/data', clients: '192.168.77.0/24', options: ['rw', 'sync', 'no_root_squash']}]},
    keepalived: {virtualRouterId: 51, advertInt: 1, preempt: true},
    lab: {dir: '/var/lib/hapair-lab'},
  })
})

test('the lab cluster file passes the cluster schema', () => {
  const result = clusterSchema.safeParse(parse(clusterFileText(input)))
  assert.ok(result.success, JSON.stringify(!result.success && result.error.issues))
})

test('overridden paths are written as given, quoted when YAML needs it', () => {
  const odd = {labDir: '/tmp/lab: #1', identityFile: '/tmp/lab: #1/id_ed25519', knownHostsFile: '/tmp/lab, x/known_hosts'}
  const doc = parse(clusterFileText(odd))
  assert.equal(doc.lab.dir, odd.labDir)
  assert.equal(doc.nodes[0].ssh.identityFile, odd.identityFile)
  assert.equal(doc.nodes[1].ssh.knownHostsFile, odd.knownHostsFile)
})

test('yamlScalar leaves plain paths plain and quotes the ambiguous', () => {
  assert.equal(yamlScalar('/var/lib/hapair-lab'), '/var/lib/hapair-lab')
  assert.equal(yamlScalar('yes'), '"yes"')
  assert.equal(yamlScalar('a: b'), '"a: b"')
  assert.equal(yamlScalar('{x}'), '"{x}"')
})
