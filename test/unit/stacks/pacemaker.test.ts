/** The pacemaker manager's own rules: fencing said explicitly, passwords in the secrets file, the detection bound from the token. */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {chmod, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {loadCluster} from '../../../src/config/load.js'
import {renderSecretsYaml, secretValues} from '../../../src/config/secrets.js'
import {unsafeSecretProblems} from '../../../src/config/safe-values.js'
import {sshConfigLookup} from '../../../src/transport/ssh-config.js'
import {ConfigError} from '../../../src/errors.js'
import {pacemakerManager} from '../../../src/stacks/managers/pacemaker.js'
import {testCluster, TEST_SECRETS} from '../../helpers/cluster.js'

const FILE = `name: lab
stack: pacemaker
nodes:
  - { name: node1, address: 192.168.77.11 }
  - { name: node2, address: 192.168.77.12 }
vip: { address: 192.168.77.100, prefix: 24, interface: eth0 }
storage: { disk: /dev/vdb, partition: { number: 1, size: rest } }
filesystem: { mountPoint: /data }
pacemaker:
  fencing:
    devices:
      - { node: node1, ip: 192.168.77.201, username: admin }
      - { node: node2, ip: 192.168.77.202, username: admin }
`
const resolve = {sshConfig: sshConfigLookup(''), resolveName: async (): Promise<string[]> => []}

async function load(secrets: Record<string, unknown>) {
  const dir = await mkdtemp(join(tmpdir(), 'hapair-pm-'))
  await writeFile(join(dir, 'hapair.yaml'), FILE)
  await writeFile(join(dir, 'hapair.secrets.yaml'), renderSecretsYaml(secrets as never), {mode: 0o600})
  await chmod(join(dir, 'hapair.secrets.yaml'), 0o600)
  return loadCluster(join(dir, 'hapair.yaml'), {resolve})
}

describe('fence passwords live in the secrets file', () => {
  it('missing: refused at load, before any connection, naming the key and the fix, never a value', async () => {
    await assert.rejects(load({...TEST_SECRETS, fencePasswords: {node1: 'pw-one'}}), (e: unknown) => {
      assert.ok(e instanceof ConfigError)
      assert.deepEqual(e.problems.map((p) => p.path), ['fencePasswords.node2'])
      assert.match(e.problems[0].message, /BMC password for fencing node2 \(admin@192.168.77.202\)/)
      assert.match(e.problems[0].fix ?? '', /fencePasswords:/)
      assert.ok(!e.message.includes('pw-one'))
      return true
    })
  })
  it('present: loads, and both passwords are masked wherever secrets are', async () => {
    const loaded = await load({...TEST_SECRETS, fencePasswords: {node1: 'pw-one', node2: 'pw two "quoted"'}})
    assert.deepEqual(loaded.secrets.fencePasswords, {node1: 'pw-one', node2: 'pw two "quoted"'})
    assert.ok(secretValues(loaded.secrets).includes('pw-one') && secretValues(loaded.secrets).includes('pw two "quoted"'))
  })
  it('a password on two lines is refused (it would end at the line break in its 0400 file)', () => {
    assert.deepEqual(unsafeSecretProblems({fencePasswords: {node1: 'a\nb'}}).map((p) => p.path), ['fencePasswords.node1'])
  })
  it('fencing: none needs no password', () => {
    const {config} = testCluster({stack: 'pacemaker', keepalived: undefined, pacemaker: {fencing: 'none'}})
    assert.deepEqual(pacemakerManager.secretRules!(config, TEST_SECRETS), [])
  })
})

describe('the manager descriptor', () => {
  it('detection bound from the token: token + consensus (1.2 x token)', () => {
    const {config} = testCluster({stack: 'pacemaker', keepalived: undefined, pacemaker: {fencing: 'none', token: 5000}})
    assert.equal(pacemakerManager.detectionBoundMs(config), 11_000)
    assert.equal(pacemakerManager.detectionBoundWhy(config), 'corosync token 5 s + consensus 6 s')
  })
  it('DRBD fences through the cluster; corosync.conf is reported, the key files are not', () => {
    assert.equal(pacemakerManager.drbdFencing, 'resource-only')
    assert.deepEqual(pacemakerManager.configFiles.map((f) => f.path), ['/etc/corosync/corosync.conf'])
    assert.equal(pacemakerManager.sectionRequired, true)
  })
})
