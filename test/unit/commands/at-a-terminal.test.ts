/**
 * hapair at a real terminal (a pty from util-linux `script`, test/helpers/pty.ts), against a real
 * sshd on 127.0.0.1 (the transport tests' fixture) standing in for node1; node2's address has no
 * sshd, so the wizard goes on without it, as an operator would with a node still being racked.
 *
 * The wizard is typed at key by key: it must refuse an interface and a disk node1 does not have
 * and take the right ones at the same question, every earlier answer kept. Then `preflight` on
 * the file it wrote prints its levels in colour at that terminal, and none with NO_COLOR=1 or
 * --no-color (the coloured run is what shows the test could fail).
 *
 * The node's NICs are this machine's real ones (`ip -j addr`); its disks come from a stand-in
 * lsblk, bind-mounted over the real one in sshd's own mount namespace, because test machines have
 * only their root disk, which the wizard rightly refuses: node1 gets /dev/sda (root) and a blank
 * /dev/sdb.
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {loadCluster} from '../../../src/config/load.js'
import {SCRIPT_HEADER} from '../../../src/transport/host.js'
import {requirePrereq, skipUnlessCI} from '../../helpers/prereq.js'
import {KEY, Terminal} from '../../helpers/pty.js'
import {sshdUnavailable, TestSshd} from '../transport/sshd-fixture.js'

const missing = sshdUnavailable()
const SCRIPT_PATH = /PATH=(\S+)/.exec(SCRIPT_HEADER)![1]

const GIB = 2 ** 30
const LSBLK = {
  blockdevices: [
    {name: 'sda', path: '/dev/sda', size: 20 * GIB, type: 'disk', fstype: null, mountpoint: null, pttype: 'gpt', children: [{name: 'sda1', path: '/dev/sda1', size: 20 * GIB - 2 ** 20, type: 'part', fstype: 'ext4', mountpoint: '/', pttype: 'gpt'}]},
    {name: 'sdb', path: '/dev/sdb', size: GIB, type: 'disk', fstype: null, mountpoint: null, pttype: null},
  ],
}

describe('hapair at a terminal: the init wizard against a real sshd, then preflight with and without colour', {skip: skipUnlessCI(missing)}, () => {
  let sshd: TestSshd
  const dir = mkdtempSync(join(tmpdir(), 'hapair-pty-'))
  const file = join(dir, 'hapair.yaml')
  // Its own HOME: the host key goes into this known_hosts, and no key of the user's is offered.
  const env = {HOME: join(dir, 'home')}
  const terminals: Terminal[] = []
  const at = (args: string[], extra: Record<string, string> = {}) => {
    const t = new Terminal(args, {cwd: dir, env: {...env, ...extra}})
    terminals.push(t)
    return t
  }

  before(async () => {
    requirePrereq(missing)
    mkdirSync(env.HOME)
    const standIn = join(dir, 'lsblk')
    writeFileSync(standIn, `#!/bin/sh\ncat <<'EOF'\n${JSON.stringify(LSBLK)}\nEOF\n`, {mode: 0o755})
    // The lsblk hapair's scripts find (their PATH is fixed: SCRIPT_HEADER), covered in sshd's mount namespace only.
    const lsblk = execFileSync('sh', ['-c', `PATH=${SCRIPT_PATH} command -v lsblk`], {encoding: 'utf8'}).trim()
    sshd = await TestSshd.start({standIns: {[lsblk]: standIn}})
  })
  after(async () => {
    for (const t of terminals) t.kill()
    await sshd?.stop()
    rmSync(dir, {recursive: true, force: true})
  })

  it('refuses an interface and a disk node1 does not have, takes valid ones on retry, and loses no answer', async () => {
    const uname = execFileSync('uname', ['-n'], {encoding: 'utf8'}).trim()
    const t = at(['init', '-c', file])
    await t.answer('Cluster name', `pty-test${KEY.enter}`)
    await t.answer('node1: address hapair reaches it at over SSH', `127.0.0.1${KEY.enter}`)
    await t.answer('node1: SSH user', KEY.enter)
    await t.answer('node1: SSH port', `${sshd.port}${KEY.enter}`)
    await t.answer('node1: SSH key file', `${sshd.clientKey}${KEY.enter}`)
    await t.answer(`It offers the ssh-ed25519 key ${sshd.hostFingerprint}`, `y${KEY.enter}`)
    await t.waitFor(`node1: reached "${uname}"; disks: /dev/sda 20G, /dev/sdb 1G blank`)
    // Nothing listens on 127.0.0.2: node2 is skipped (the third choice) and named by hand.
    await t.answer('node2: address hapair reaches it at over SSH', `127.0.0.2${KEY.enter}`)
    await t.answer('node2: SSH user', KEY.enter)
    await t.answer('node2: SSH port', KEY.enter)
    await t.answer('node2: SSH key file', KEY.enter)
    await t.answer('node2 could not be reached. What now?', KEY.down + KEY.down)
    await t.answer(/[❯>] go on without testing/, KEY.enter)
    await t.answer('node2: its name', `peer${KEY.enter}`)
    await t.answer('Which HA stack?', KEY.enter)
    await t.answer('Floating IP (VIP)', KEY.enter)
    await t.answer('Its network prefix length', KEY.enter)

    await t.answer('Network interface that carries the VIP', `eth9${KEY.enter}`)
    // Refused with what node1 has (this machine's NICs, lo among them), the question asked again.
    await t.waitFor(new RegExp(`${uname.replace(/\W/g, '\\$&')} has no interface eth9 with an IPv4 address \\(it has: [^)]*\\blo\\b`))
    t.send(`${'\x7f'.repeat(4)}lo${KEY.enter}`)

    await t.answer('Disk to replicate with DRBD', KEY.down)
    await t.answer(/[❯>] another device \(type its path\)/, KEY.enter)
    await t.answer('Disk to replicate with DRBD', `/dev/sdz${KEY.enter}`)
    await t.waitFor(`/dev/sdz is not a disk on ${uname} (its disks: /dev/sda, /dev/sdb)`)
    t.send(`${'\x7f'.repeat(8)}/dev/sda${KEY.enter}`)
    await t.waitFor(`/dev/sda holds ${uname}'s root filesystem`)
    t.send(`${'\x7f'.repeat(8)}/dev/sdb${KEY.enter}`)

    for (const question of ['Size of the DRBD partition', 'DRBD: resource r0', 'Filesystem on the DRBD device', 'Mount point', 'NFS clients allowed', 'VRRP virtual router id', 'take the VIP back', `Write ${file}?`]) {
      await t.answer(question, KEY.enter)
    }
    await t.waitFor(`Wrote ${file}.`)
    assert.equal(await t.exited(), 0)

    const {config} = await loadCluster(file)
    assert.equal(config.name, 'pty-test')
    assert.deepEqual(config.nodes.map((n) => [n.name, n.address, n.ssh.port]), [[uname, '127.0.0.1', sshd.port], ['peer', '127.0.0.2', sshd.port]])
    assert.equal(config.nodes[0].ssh.identityFile, sshd.clientKey)
    assert.equal(config.vip.interface, 'lo')
    assert.equal(config.storage?.disk, '/dev/sdb')
  })

  /** "node check level" for each row of preflight's table. */
  const levels = (text: string) => [...text.matchAll(/^│ (\S+)\s+│ (\S(?:[^│]*\S)?)\s+│ (ok|warn|fail)\s+│/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`)

  it('preflight colours its levels at the terminal, and prints no escape sequence with NO_COLOR=1 or --no-color', async () => {
    assert.ok(existsSync(file), `${file}: the cluster file the wizard test writes`)
    const uname = execFileSync('uname', ['-n'], {encoding: 'utf8'}).trim()
    const preflight = async (args: string[], extra: Record<string, string> = {}) => {
      const t = at(['preflight', '-c', file, ...args], extra)
      await t.waitFor(/\d+ ok, \d+ warnings?, \d+ failures?/)
      await t.exited()
      return t
    }
    const coloured = await preflight([])
    // node1's checks (ssh at least is ok) in green, node2's refused ssh and the error line in red.
    assert.match(coloured.raw, /│ \x1b\[32mok\x1b\[39m/)
    assert.match(coloured.raw, /│ \x1b\[31mfail\x1b\[39m/)
    assert.match(coloured.raw, /\x1b\[31merror:\x1b\[39m preflight: \d+ checks? failed/)
    assert.deepEqual(levels(coloured.text).slice(0, 1), [`${uname} ssh ok`])
    assert.ok(levels(coloured.text).includes('peer ssh fail'))
    for (const [args, extra] of [[[], {NO_COLOR: '1'}], [['--no-color'], {}]] as const) {
      const plain = await preflight([...args], extra)
      assert.doesNotMatch(plain.raw, /\x1b\[/, `${args.join(' ') || 'NO_COLOR=1'}: ${JSON.stringify(plain.raw.slice(0, 400))}`)
      assert.deepEqual(levels(plain.raw), levels(coloured.text), 'the same checks and levels, only without colour')
      assert.match(plain.raw, /\nerror: preflight: \d+ checks? failed/)
    }
  })
})
