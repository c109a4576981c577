/**
 * The notify and check scripts, rendered from the test cluster and run by bash against stub
 * tools (ha-script-harness.ts): what each transition does, in which order, and that a repeated
 * call does nothing.
 */
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync, rmSync, writeFileSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {testCluster} from '../../helpers/cluster.js'
import {renderNotifyScript} from '../../../src/templates/scripts/notify.js'
import {renderCheckScript} from '../../../src/templates/scripts/check-nfs.js'
import {requirePrereq, skipUnlessCI} from '../../helpers/prereq.js'
import {makeHarness, mutating, releaseCalls, serveCalls, someBlockDevice, type Harness} from './ha-script-harness.js'

const {config} = testCluster()
const device = someBlockDevice()
const missing = device ? false : 'no block device on this machine for the [ -b $DEV ] wait'
const skip = skipUnlessCI(missing)

describe('rendered scripts are valid bash', () => {
  for (const family of ['apt', 'dnf'] as const) {
    for (const [name, text] of [
      ['notify.sh', renderNotifyScript(config, family)],
      ['check-nfs.sh', renderCheckScript(config, family)],
    ] as const) {
      it(`${name} (${family}) passes bash -n`, () => {
        const dir = mkdtempSync(join(tmpdir(), 'hapair-n-'))
        const file = join(dir, name)
        writeFileSync(file, text)
        const r = spawnSync('bash', ['-n', file], {encoding: 'utf8'})
        rmSync(dir, {recursive: true, force: true})
        assert.equal(r.status, 0, r.stderr)
      })
    }
  }

  it('carries the cluster values as quoted settings', () => {
    const text = renderNotifyScript(config, 'apt')
    assert.match(text, /^RES='r0'$/m)
    assert.match(text, /^DEV='\/dev\/drbd0'$/m)
    assert.match(text, /^MP='\/data'$/m)
    assert.match(text, /^VIP='192\.168\.77\.100'$/m)
    assert.match(text, /^STATE_DIR='\/data\/\.hapair-nfs'$/m)
    assert.match(text, /^NFS_UNIT='nfs-server'$/m)
    assert.doesNotMatch(text, /\$\\\{/, 'no unconverted $\\{ left by the sh tag')
  })

  it('hands off to systemd-run before running anything: keepalived kills the scripts it forked when it exits', () => {
    const text = renderNotifyScript(config, 'apt')
    const handOff = text.indexOf('exec systemd-run')
    assert.ok(handOff > 0)
    // Top-level lines (function bodies are indented or braced) before the hand-off only assign constants.
    const before = text
      .slice(0, handOff)
      .replace(/^[a-z_]+\(\) \{[\s\S]*?^\}$/gm, '')
      .split('\n')
      .filter((l) => l && !l.startsWith('#') && !l.startsWith(' '))
    const running = before.filter((l) => /\$\(|`/.test(l) || !/^(set |export |[A-Z_]+=|case |esac|if |fi$|\s*\*?\)|[a-z |]+\) ;;)/.test(l))
    assert.deepEqual(running, [], 'commands run before the hand-off')
    assert.ok(text.indexOf('KA_PID=$(caller_keepalived') > handOff, 'the caller lookup runs after the hand-off')
  })

  it('has the guards: lock, timeouts, peer-Primary refusal, fuser seat belt, log', () => {
    const text = renderNotifyScript(config, 'apt')
    assert.match(text, /flock -w "\$LOCK_WAIT_S" 9/)
    assert.match(text, /timeout -k 5 "\$limit"/)
    assert.match(text, /REFUSED: the peer is still DRBD Primary/)
    assert.match(text, /timeout -k 2 10 fuser -k -M -m "\$path"/)
    assert.match(text, /mount --bind "\$STATE_DIR" "\$NFS_LIB"/)
    const check = renderCheckScript(config, 'apt')
    assert.match(check, /flock -n 9 \|\| exit 0/)
    assert.match(check, /if ! holds_vip; then/)
  })
})

describe('notify.sh master', {skip}, () => {
  before(() => requirePrereq(missing))
  let h: Harness
  let notify: string
  before(() => {
    h = makeHarness(device!)
    notify = h.install('notify.sh', renderNotifyScript(config, 'apt'))
  })
  after(() => h.cleanup())

  it('takes over: primary, mount, state bind, NFS, exports, in that order', () => {
    h.set({vip: true, active: ['rpc-statd']})
    h.clearCalls()
    const r = h.run(notify, ['master'])
    assert.equal(r.code, 0, readFileSync(h.log, 'utf8'))
    assert.deepEqual(mutating(h.calls()), ['drbdadm primary r0', ...serveCalls(h)])
    assert.equal(h.read('role-local'), 'Primary')
    assert.deepEqual(h.mounts(), [`${h.device}\t${h.mountPoint}`, `${h.device}\t${h.nfsLib}`])
    // The state dir was seeded from the local /var/lib/nfs, without rpc_pipefs' content.
    assert.ok(existsSync(join(h.mountPoint, '.hapair-nfs', 'sm')))
    assert.ok(existsSync(join(h.mountPoint, '.hapair-nfs', 'v4recovery')))
    assert.ok(existsSync(join(h.mountPoint, '.hapair-nfs', 'state')))
    const log = readFileSync(h.log, 'utf8')
    assert.match(log, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d \S+ master: begin$/m)
    assert.match(log, / master: serving: DRBD Primary/)
    assert.match(log, / master: end \(exit 0\)$/m)
    // The call said it was coming before anything else, for the check script.
    const called = Number(readFileSync(join(h.runDir, '..', 'master-called'), 'utf8'))
    assert.ok(Math.abs(called - Date.now() / 1000) < 600, `master-called holds ${called}`)
    // The transition's timeline: every command with its duration and exit code, in order.
    const timed = [...log.matchAll(/ master: took (\d+) ms \(exit (\d+)\): (.*)$/gm)].map((m) => m[3])
    assert.deepEqual(timed, mutating(h.calls()))
  })

  it('a daemon left behind by a command (sm-notify) does not hold the transition lock', () => {
    const pid = Number(h.read('sm-notify.pid'))
    try {
      const r = spawnSync('flock', ['-n', join(h.runDir, 'ha.lock'), 'true'])
      assert.equal(r.status, 0, 'the lock is free once the transition is over')
    } finally {
      spawnSync('kill', [String(pid)])
    }
  })

  it('sm-notify where no /etc/hosts line names the VIP: in a mount namespace whose hosts file adds a name for it', () => {
    const hosts = readFileSync(h.hostsFile, 'utf8')
    writeFileSync(h.hostsFile, '127.0.0.1\tlocalhost\n192.0.2.11\tnode1\n')
    try {
      h.set({vip: true})
      h.clearCalls()
      const r = h.run(notify, ['master'])
      assert.equal(r.code, 0, readFileSync(h.log, 'utf8'))
      const calls = mutating(h.calls())
      assert.ok(!calls.some((c) => c.startsWith('sm-notify')), 'sm-notify -v ADDRESS with no name for it exits "my_name ... is unusable"')
      const privateHosts = join(h.runDir, 'sm-notify-hosts')
      assert.equal(calls.at(-2), `unshare --mount --propagation private -- /bin/bash -c mount --bind "$1" "$2" && exec sm-notify -f -v "$3" sm-notify ${privateHosts} ${h.hostsFile} 192.0.2.100`)
      assert.equal(calls.at(-1), 'exportfs -ra')
      // The node's own lines first (a name it already has wins), then the VIP's name from the cluster name.
      assert.equal(readFileSync(privateHosts, 'utf8'), '127.0.0.1\tlocalhost\n192.0.2.11\tnode1\n192.0.2.100 hapair-lab-vip\n')
      assert.equal(readFileSync(h.hostsFile, 'utf8'), '127.0.0.1\tlocalhost\n192.0.2.11\tnode1\n', 'the node’s /etc/hosts is left alone')
    } finally {
      writeFileSync(h.hostsFile, hosts)
    }
  })

  it('a second master call changes nothing (only re-reads the exports)', () => {
    h.clearCalls()
    const r = h.run(notify, ['master'])
    assert.equal(r.code, 0)
    assert.deepEqual(mutating(h.calls()), ['exportfs -ra'])
  })

  it('does nothing when the VIP is gone (a later transition overtook it)', () => {
    h.set({vip: false})
    h.clearCalls()
    const r = h.run(notify, ['master'])
    assert.equal(r.code, 0)
    assert.deepEqual(mutating(h.calls()), [])
    assert.match(readFileSync(h.log, 'utf8'), /no longer holds the VIP/)
  })

  it('refuses to promote while the peer stays Primary, and marks the node as having given up', () => {
    h.set({vip: true, rolePeer: 'Primary'})
    h.clearCalls()
    const r = h.run(notify, ['master'])
    assert.equal(r.code, 1)
    assert.ok(!h.calls().includes('drbdadm primary r0'), 'never asks DRBD for a second primary')
    assert.equal(h.read('role-local'), 'Secondary')
    assert.ok(existsSync(join(h.runDir, 'gave-up')))
    assert.match(readFileSync(h.log, 'utf8'), /REFUSED: the peer is still DRBD Primary after 2 s/)
  })

  it('waits for a peer that is demoting, then promotes', () => {
    h.set({vip: true, rolePeer: 'Primary', peerDemoteAfter: 3})
    h.clearCalls()
    const r = h.run(notify, ['master'])
    assert.equal(r.code, 0, readFileSync(h.log, 'utf8'))
    assert.ok(h.calls().includes('drbdadm primary r0'))
  })

  it('reads the peer role from drbdadm status on DRBD 9', () => {
    h.set({vip: true, rolePeer: 'Primary', drbd9: true})
    h.clearCalls()
    const r = h.run(notify, ['master'])
    assert.equal(r.code, 1)
    assert.ok(h.calls().includes('drbdadm status r0'))
    assert.ok(!h.calls().includes('drbdadm primary r0'))
  })

  it('waits for a just-attached (Consistent) disk to become UpToDate, then promotes', () => {
    h.set({vip: true, disk: 'Consistent', rolePeer: 'Unknown', diskUpToDateAfter: 4})
    h.clearCalls()
    const r = h.run(notify, ['master'])
    assert.equal(r.code, 0, readFileSync(h.log, 'utf8'))
    assert.ok(h.calls().includes('drbdadm primary r0'))
    assert.match(readFileSync(h.log, 'utf8'), /local disk is Consistent, not UpToDate; waiting/)
  })

  it('refuses to serve stale data: the disk never becomes UpToDate', () => {
    h.set({vip: true, disk: 'Outdated'})
    h.clearCalls()
    const r = h.run(notify, ['master'])
    assert.equal(r.code, 1)
    assert.ok(!h.calls().includes('drbdadm primary r0'))
    assert.match(readFileSync(h.log, 'utf8'), /REFUSED: the local disk is Outdated, not UpToDate/)
  })

  it('promotes a disconnected peer’s standby with UpToDate data (the crash failover)', () => {
    h.set({vip: true, rolePeer: 'Unknown'})
    const r = h.run(notify, ['master'])
    assert.equal(r.code, 0, readFileSync(h.log, 'utf8'))
    assert.match(readFileSync(h.log, 'utf8'), /peer's DRBD role is Unknown \(not connected\)/)
  })

  it('fails (and gives up) when drbdadm primary fails', () => {
    h.set({vip: true, primaryFails: true})
    const r = h.run(notify, ['master'])
    assert.equal(r.code, 1)
    assert.match(readFileSync(h.log, 'utf8'), /drbdadm primary r0 failed/)
    assert.ok(existsSync(join(h.runDir, 'gave-up')))
  })

  it('brings an unconfigured resource up first', () => {
    h.set({vip: true, roleLocal: 'Unconfigured'})
    h.clearCalls()
    const r = h.run(notify, ['master'])
    assert.equal(r.code, 0, readFileSync(h.log, 'utf8'))
    assert.deepEqual(mutating(h.calls()).slice(0, 2), ['drbdadm adjust r0', 'drbdadm primary r0'])
  })

  it('refuses to mount over something else mounted on the mount point', () => {
    h.set({vip: true, mounts: [`/dev/other\t${h.mountPoint}`]})
    const r = h.run(notify, ['master'])
    assert.equal(r.code, 1)
    assert.match(readFileSync(h.log, 'utf8'), /REFUSED: .* has \/dev\/other mounted/)
  })

  it('rejects an unknown action', () => {
    const r = h.run(notify, ['promote'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /usage/)
  })
})

describe('notify.sh backup|fault|stop', {skip}, () => {
  before(() => requirePrereq(missing))
  let h: Harness
  let notify: string
  const serving = (h: Harness) => ({
    roleLocal: 'Primary',
    mounts: [`${h.device}\t${h.mountPoint}`, `${h.device}\t${h.nfsLib}`],
    active: ['nfs-server', 'nfsdcld', 'rpc-statd'],
    nfsdThreads: 8,
  })
  before(() => {
    h = makeHarness(device!)
    notify = h.install('notify.sh', renderNotifyScript(config, 'apt'))
  })
  after(() => h.cleanup())

  for (const action of ['backup', 'fault', 'stop']) {
    it(`${action}: stops NFS, unbinds the state, unmounts, demotes, in that order`, () => {
      h.set(serving(h))
      h.clearCalls()
      const r = h.run(notify, [action])
      assert.equal(r.code, 0, readFileSync(h.log, 'utf8'))
      assert.deepEqual(mutating(h.calls()), releaseCalls(h))
      assert.equal(h.read('role-local'), 'Secondary')
      assert.deepEqual(h.mounts(), [])
      assert.deepEqual(h.active(), [])
    })
  }

  it("run by systemd after keepalived stopped (ExecStopPost): releases after a clean stop, not after a crash or kill (the restarted keepalived judges)", () => {
    for (const result of ['signal', 'exit-code', 'core-dump']) {
      h.set(serving(h))
      h.clearCalls()
      const r = h.run(notify, ['stop'], {SERVICE_RESULT: result, EXIT_CODE: 'killed'})
      assert.equal(r.code, 0)
      assert.deepEqual(mutating(h.calls()), [], `released after SERVICE_RESULT=${result}`)
      assert.equal(h.read('role-local'), 'Primary')
    }
    h.clearCalls()
    const r = h.run(notify, ['stop'], {SERVICE_RESULT: 'success', EXIT_CODE: 'exited'})
    assert.equal(r.code, 0, readFileSync(h.log, 'utf8'))
    assert.equal(h.read('role-local'), 'Secondary')
    assert.deepEqual(h.mounts(), [])
  })

  it('a second release changes nothing', () => {
    h.clearCalls()
    const r = h.run(notify, ['backup'])
    assert.equal(r.code, 0)
    assert.deepEqual(mutating(h.calls()), [])
  })

  it('keeps the service when the node holds the VIP again', () => {
    h.set({...serving(h), vip: true})
    h.clearCalls()
    const r = h.run(notify, ['backup'])
    assert.equal(r.code, 0)
    assert.deepEqual(mutating(h.calls()), [])
    assert.equal(h.read('role-local'), 'Primary')
  })

  it('kills the users of a busy filesystem after the grace, with the mount-point seat belt', () => {
    h.set({...serving(h), busy: [h.mountPoint]})
    h.clearCalls()
    const r = h.run(notify, ['stop'])
    assert.equal(r.code, 0, readFileSync(h.log, 'utf8'))
    assert.ok(h.calls().includes(`fuser -k -M -m ${h.mountPoint}`))
    assert.equal(h.read('role-local'), 'Secondary')
    assert.match(readFileSync(h.log, 'utf8'), /still busy after 1 s; killing the processes using it/)
  })

  it('remounts nothing and leaves DRBD alone when it cannot unmount', () => {
    h.set({...serving(h)})
    // busy even after fuser: the stub only clears what it was asked to kill, so make umount fail another way
    writeFileSync(join(h.stateDir, 'busy'), `${h.nfsLib}\n`)
    // a fuser that kills nothing
    const fuser = join(h.dir, 'bin', 'fuser')
    const saved = readFileSync(fuser, 'utf8')
    writeFileSync(fuser, saved.replace(/case " \$\* " in[\s\S]*?esac/, ':'))
    try {
      const r = h.run(notify, ['backup'])
      assert.equal(r.code, 1)
      assert.equal(h.read('role-local'), 'Primary')
      assert.match(readFileSync(h.log, 'utf8'), /FAILED to release the service/)
    } finally {
      writeFileSync(fuser, saved)
    }
  })

  it('serializes overlapping transitions with the lock', async () => {
    h.set({...serving(h)})
    const codes = await Promise.all([h.runAsync(notify, ['backup']), h.runAsync(notify, ['stop'])])
    assert.deepEqual(codes, [0, 0])
    const lines = readFileSync(h.log, 'utf8').split('\n').filter((l) => / (backup|stop): (begin|end)/.test(l))
    const tail = lines.slice(-4).map((l) => l.replace(/^.* (backup|stop): (begin|end).*$/, '$2'))
    assert.deepEqual(tail, ['begin', 'end', 'begin', 'end'], 'one transition finishes before the next begins')
  })
})

describe('check-nfs.sh', {skip}, () => {
  before(() => requirePrereq(missing))
  let h: Harness
  let check: string
  const active = (h: Harness) => ({
    vip: true,
    roleLocal: 'Primary',
    mounts: [`${h.device}\t${h.mountPoint}`, `${h.device}\t${h.nfsLib}`],
    active: ['nfs-server'],
    nfsdThreads: 8,
  })
  before(() => {
    h = makeHarness(device!)
    check = h.install('check-nfs.sh', renderCheckScript(config, 'apt'))
  })
  after(() => h.cleanup())

  it('a standby is healthy although NFS is stopped there', () => {
    h.set({})
    h.clearCalls()
    assert.equal(h.run(check, []).code, 0)
    assert.deepEqual(mutating(h.calls()), [])
  })

  it('the active node with NFS running is healthy and changes nothing', () => {
    h.set(active(h))
    h.clearCalls()
    assert.equal(h.run(check, []).code, 0)
    assert.deepEqual(mutating(h.calls()), [])
  })

  it('restarts a dead NFS server once and stays healthy when that works', () => {
    h.set({...active(h), active: [], nfsdThreads: 0})
    h.clearCalls()
    assert.equal(h.run(check, []).code, 0)
    assert.deepEqual(mutating(h.calls()), ['systemctl restart nfs-server', 'exportfs -ra'])
    assert.match(readFileSync(h.log, 'utf8'), /check: NFS server restarted/)
  })

  it('a unit "active" with no nfsd threads counts as dead', () => {
    h.set({...active(h), nfsdThreads: 0})
    h.clearCalls()
    assert.equal(h.run(check, []).code, 0)
    assert.ok(h.calls().includes('systemctl restart nfs-server'))
  })

  it('gives up (exit 1, hold-down marker) when the restart does not help, and stays failing during the hold-down', () => {
    h.set({...active(h), active: [], nfsdThreads: 0, nfsBroken: true})
    assert.equal(h.run(check, []).code, 1)
    assert.ok(existsSync(join(h.runDir, 'gave-up')))
    assert.match(readFileSync(h.log, 'utf8'), /giving up the VIP \(FAULT\)/)
    // After notify fault released everything the node is a standby, but still held in FAULT.
    h.set({})
    h.clearCalls()
    assert.equal(h.run(check, []).code, 1)
    assert.deepEqual(mutating(h.calls()), [])
  })

  it('the hold-down ends: an old marker is removed and the standby is healthy again', () => {
    writeFileSync(join(h.runDir, 'gave-up'), '1000\n')
    h.set({})
    assert.equal(h.run(check, []).code, 0)
    assert.ok(!existsSync(join(h.runDir, 'gave-up')))
  })

  it('fails without giving up when it holds the VIP but not the storage', () => {
    h.set({vip: true})
    assert.equal(h.run(check, []).code, 1)
    assert.ok(!existsSync(join(h.runDir, 'gave-up')), 'a takeover still on its way must not earn a hold-down')
  })

  it('does not fail a node whose takeover was called moments ago and has not taken the lock yet', () => {
    h.set({vip: true})
    const called = join(h.runDir, '..', 'master-called')
    writeFileSync(called, `${Math.floor(Date.now() / 1000)}\n`)
    try {
      assert.equal(h.run(check, []).code, 0)
      // A call from long ago is no excuse: the node holds the VIP without the service.
      writeFileSync(called, `${Math.floor(Date.now() / 1000) - 3600}\n`)
      assert.equal(h.run(check, []).code, 1)
    } finally {
      rmSync(called, {force: true})
    }
  })

  it('does not judge while a transition holds the lock', () => {
    h.set({vip: true})
    // The holder stays a separate, living process (bash would otherwise exec the last command in place).
    const r = spawnSync('bash', ['-c', `mkdir -p ${h.runDir}; exec 9>>${h.runDir}/ha.lock; flock 9; bash ${check}; exit $?`], {encoding: 'utf8'})
    assert.equal(r.status, 0)
  })
})
