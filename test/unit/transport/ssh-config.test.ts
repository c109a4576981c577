import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {sshConfigLookup} from '../../../src/transport/ssh-config.js'

const TEXT = `# as an operator keeps it
Host node1
  HostName 10.0.0.1
  Port 2222
  IdentityFile ~/.ssh/cluster_ed25519
  IdentityFile ~/.ssh/other
  ProxyJump admin@bastion

Host *.example.com
  User deploy
  StrictHostKeyChecking accept-new

Host paranoid
  StrictHostKeyChecking yes

Match exec "touch /tmp/hapair-ssh-config-exec-ran"
  User evil

Host *
  User root
  Port 22
`

describe('sshConfigLookup', () => {
  const lookup = sshConfigLookup(TEXT)

  it('takes the first value per setting, Host by Host, as ssh does', () => {
    const e = lookup('node1')
    assert.equal(e.hostName, '10.0.0.1')
    assert.equal(e.port, 2222)
    assert.equal(e.identityFile, '~/.ssh/cluster_ed25519')
    assert.equal(e.proxyJump, 'admin@bastion')
    assert.equal(e.user, 'root', 'from Host * (the Match exec block is not run)')
    assert.deepEqual(e.used, ['HostName', 'User', 'Port', 'IdentityFile', 'ProxyJump'])
  })

  it('matches wildcards and turns accept-new into "record unknown keys", never more', () => {
    const e = lookup('db1.example.com')
    assert.equal(e.user, 'deploy')
    assert.equal(e.acceptNewHostKeys, true)
    assert.equal(lookup('paranoid').acceptNewHostKeys, undefined)
  })

  it('never runs Match exec', async () => {
    const {existsSync} = await import('node:fs')
    lookup('anything')
    assert.ok(!existsSync('/tmp/hapair-ssh-config-exec-ran'))
  })

  it('answers nothing for an empty file', () => {
    assert.deepEqual(sshConfigLookup('')('node1'), {used: []})
  })
})
