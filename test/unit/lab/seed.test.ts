import {test} from 'node:test'
import assert from 'node:assert/strict'
import {hostsFile, interfacesFile, knownHostsText, seedFiles, SEED_DIR_MODES} from '../../../src/lab/seed.js'
import {GUESTS} from '../../../src/lab/topology.js'

const keys = {hostKey: 'PRIVATE\n', hostKeyPub: 'ssh-ed25519 AAAAhost node1-host\n', clientKeyPub: 'ssh-ed25519 AAAAclient hapair-lab\n'}

test('seed files: hostname, hosts, static address, host key (0600), authorized_keys (0600)', () => {
  const files = Object.fromEntries(seedFiles(GUESTS[0], keys).map((f) => [f.path, f]))
  assert.equal(files['etc/hostname'].content, 'node1\n')
  assert.equal(files['etc/ssh/ssh_host_ed25519_key'].content, 'PRIVATE\n')
  assert.equal(files['etc/ssh/ssh_host_ed25519_key'].mode, 0o600)
  assert.equal(files['root/.ssh/authorized_keys'].content, keys.clientKeyPub)
  assert.equal(files['root/.ssh/authorized_keys'].mode, 0o600)
  assert.match(files['etc/network/interfaces'].content, /address 192\.168\.77\.11\/24/)
  for (const f of Object.values(files)) {
    const dir = f.path.split('/').slice(0, -1).join('/')
    assert.ok(dir in SEED_DIR_MODES, `${dir} has a declared mode`)
  }
  assert.equal(SEED_DIR_MODES.root, 0o700)
})

test('the guest network has no gateway and no route out', () => {
  const text = interfacesFile(GUESTS[1])
  assert.match(text, /iface eth0 inet static/)
  assert.doesNotMatch(text, /gateway|dns-|route/)
})

test('/etc/hosts names both nodes by their lab addresses, never 127.0.1.1', () => {
  const text = hostsFile()
  assert.match(text, /^192\.168\.77\.11\tnode1$/m)
  assert.match(text, /^192\.168\.77\.12\tnode2$/m)
  assert.doesNotMatch(text, /127\.0\.1\.1/)
})

test('known_hosts pins each key by address, without the comment', () => {
  assert.equal(
    knownHostsText([{address: '192.168.77.11', hostKeyPub: keys.hostKeyPub}, {address: '192.168.77.12', hostKeyPub: 'ssh-ed25519 BBBB x\n'}]),
    '192.168.77.11 ssh-ed25519 AAAAhost\n192.168.77.12 ssh-ed25519 BBBB\n',
  )
})
