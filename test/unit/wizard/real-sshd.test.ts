/**
 * The wizard against a real OpenSSH sshd on 127.0.0.1 (the transport's test fixture): the host key
 * question shows the key ssh-keygen sees, the discovery script really runs through `bash -s`,
 * and what this machine reports (its `uname -n`, its NIC) becomes the answers' defaults.
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdtemp} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {loadCluster} from '../../../src/config/load.js'
import type {Connector} from '../../../src/transport/connect-all.js'
import {connectHost} from '../../../src/transport/ssh-connect.js'
import {runWizard} from '../../../src/wizard/interactive.js'
import {requirePrereq, skipUnlessCI} from '../../helpers/prereq.js'
import {sshdUnavailable, TestSshd} from '../transport/sshd-fixture.js'
import {DEFAULT, refused, ScriptedPrompter} from './scripted-prompter.js'

const missing = sshdUnavailable()
const skip = skipUnlessCI(missing)

describe('hapair init wizard against a real sshd', {skip}, () => {
  let sshd: TestSshd
  before(async () => {
    requirePrereq(missing)
    sshd = await TestSshd.start()
  })
  after(async () => {
    await sshd?.stop()
  })

  it('asks about the new host key, reads the node, and writes a file that loads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-wizard-sshd-'))
    // Keep the test's known_hosts away from the user's own.
    const connect: Connector = (target, opts) => connectHost({...target, ssh: {...target.ssh, knownHostsFile: sshd.knownHosts}}, opts)
    const uname = execFileSync('uname', ['-n'], {encoding: 'utf8'}).trim()
    const prompt = new ScriptedPrompter([
      [/^Cluster name/, 'sshd-test'],
      [/^node1: address/, '127.0.0.1'],
      [/^node1: SSH user/, DEFAULT],
      [/^node1: SSH port/, String(sshd.port)],
      [/^node1: SSH key file/, sshd.clientKey],
      [new RegExp(`^node1 \\(127\\.0\\.0\\.1\\) is new to known_hosts\\. It offers the ssh-ed25519 key ${sshd.hostFingerprint.replace(/[+/]/g, '\\$&')}\\.`), true],
      // Nothing listens on 127.0.0.2 at this port: the second node is skipped.
      [/^node2: address/, '127.0.0.2'],
      [/^node2: SSH user/, DEFAULT],
      [/^node2: SSH port/, DEFAULT],
      [/^node2: SSH key file/, DEFAULT],
      [/^node2 could not be reached/, 'skip'],
      [/^node2: its name/, 'peer'],
      [/^Which HA stack/, DEFAULT],
      [/^Floating IP/, DEFAULT],
      [/prefix length/, DEFAULT],
      [/^Network interface/, DEFAULT],
      [/^Disk to replicate/, '\u0000other'],
      // Checked against the disks this machine's lsblk reports: one it lacks is refused; a
      // /dev/disk/by-* link is not in lsblk's list by that name, so it is taken as typed.
      [/^Disk to replicate/, refused('/dev/hapair-no-such-disk', new RegExp(`^/dev/hapair-no-such-disk is not a disk on ${execFileSync('uname', ['-n'], {encoding: 'utf8'}).trim()} \\(its disks: `))],
      [/^Disk to replicate/, '/dev/disk/by-id/hapair-test-disk'],
      [/^Size of the DRBD partition/, DEFAULT],
      [/^DRBD: resource r0/, DEFAULT],
      [/^Filesystem on the DRBD device/, DEFAULT],
      [/^Mount point/, DEFAULT],
      [/^NFS clients/, DEFAULT],
      [/virtual router id/, DEFAULT],
      [/take the VIP back/, DEFAULT],
      [/^Write /, true],
    ])
    await runWizard({file: join(dir, 'hapair.yaml'), force: false, acceptNewHostKeys: false, prompt, connect})
    prompt.done()

    const {config} = await loadCluster(join(dir, 'hapair.yaml'))
    assert.equal(config.nodes[0].name, uname, 'the name the node reports')
    assert.equal(config.nodes[0].ssh.port, sshd.port)
    assert.deepEqual(config.vip, {address: '127.0.0.200', prefix: 8, interface: 'lo'}, 'from `ip -j -4 addr` on the node')
    assert.ok(prompt.said.some((s) => s.startsWith(`node1: reached "${uname}"`)))
    assert.ok(prompt.said.some((s) => /node2: .*ECONNREFUSED|node2: .*refused/i.test(s)), prompt.said.join('\n'))
    assert.equal(sshd.logins, 1, 'one SSH connection to test node1')
  })
})
