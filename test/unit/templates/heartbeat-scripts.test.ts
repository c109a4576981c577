/**
 * heartbeat's resource scripts and the NFS monitor, rendered from a heartbeat test cluster and run
 * by bash against the stub tools of ha-script-harness.ts: what start, stop and status do, and what
 * the monitor does on each look ("once", so nothing depends on timing).
 */
import {describe, it, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {testCluster} from '../../helpers/cluster.js'
import {HB_TOOL_DIRS} from '../../../src/facts/heartbeat.js'
import {renderDrbddisk} from '../../../src/templates/scripts/drbddisk.js'
import {renderNfsMonitorScript, renderNfsResourceScript} from '../../../src/templates/scripts/heartbeat-nfs.js'
import {renderFsResourceScript, renderVipResourceScript} from '../../../src/templates/scripts/heartbeat-resources.js'
import {requirePrereq, skipUnlessCI} from '../../helpers/prereq.js'
import {makeHarness, mutating, someBlockDevice, type Harness} from './ha-script-harness.js'

const {config} = testCluster({stack: 'heartbeat', keepalived: undefined})
const device = someBlockDevice()
const missing = device ? false : 'no block device on this machine for the [ -b $DEV ] wait'
const skip = skipUnlessCI(missing)

describe('rendered heartbeat scripts are valid bash', () => {
  for (const [name, text] of [
    ['hapair-nfs', renderNfsResourceScript(config, 'apt')],
    ['nfs-monitor.sh', renderNfsMonitorScript(config, 'apt')],
    ['drbddisk', renderDrbddisk()],
    ['hapair-vip', renderVipResourceScript(config, 'apt')],
    ['hapair-fs', renderFsResourceScript(config, 'apt')],
  ] as const) {
    it(`${name} passes bash -n`, () => {
      const r = spawnSync('bash', ['-n'], {input: text, encoding: 'utf8'})
      assert.equal(r.status, 0, r.stderr)
    })
  }
})

describe('drbddisk (hapair’s, where drbd-utils ships none)', {skip}, () => {
  before(() => requirePrereq(missing))
  let h: Harness
  let script: string
  before(() => {
    h = makeHarness(device!)
    script = join(h.dir, 'drbddisk')
    writeFileSync(script, renderDrbddisk().replace(/^PATH=.*$/m, `PATH=${join(h.dir, 'bin')}:/usr/bin:/bin`))
    chmodSync(script, 0o755)
  })
  after(() => h.cleanup())

  it('start makes the resource Primary; status says running', () => {
    h.set({})
    assert.equal(h.run(script, ['r0', 'start']).code, 0)
    assert.equal(h.read('role-local'), 'Primary')
    const status = h.run(script, ['r0', 'status'])
    assert.deepEqual([status.code, status.stdout], [0, 'running (Primary)\n'])
  })

  it('stop makes it Secondary; status says stopped (DRBD 9 role output too)', () => {
    h.set({roleLocal: 'Primary', drbd9: true})
    assert.equal(h.run(script, ['r0', 'stop']).code, 0)
    const status = h.run(script, ['r0', 'status'])
    assert.deepEqual([status.code, status.stdout], [3, 'stopped (Secondary)\n'])
  })

  it('a resource that is down reads as stopped; status without a resource is refused', () => {
    h.set({roleLocal: 'Unconfigured'})
    assert.deepEqual([h.run(script, ['r0', 'status']).code, h.run(script, ['r0', 'status']).stdout], [3, 'stopped (Unconfigured)\n'])
    assert.equal(h.run(script, ['status']).code, 10)
  })
})

describe('hapair-vip and hapair-fs (the haresources VIP and filesystem)', {skip}, () => {
  before(() => requirePrereq(missing))
  let h: Harness
  let vip: string
  let fs: string
  before(() => {
    h = makeHarness(device!)
    // send_arp where the script looks first, as a stub that records its call.
    const hbDir = join(h.dir, 'hb')
    mkdirSync(hbDir)
    writeFileSync(join(hbDir, 'send_arp'), `#!/bin/bash\necho "send_arp $*" >>${JSON.stringify(join(h.stateDir, 'calls'))}\n`)
    chmodSync(join(hbDir, 'send_arp'), 0o755)
    vip = h.install('hapair-vip', renderVipResourceScript(config, 'apt').replace(HB_TOOL_DIRS.join(' '), hbDir))
    fs = h.install('hapair-fs', renderFsResourceScript(config, 'apt'))
  })
  after(() => h.cleanup())
  const status = (script: string) => {
    const r = h.run(script, ['status'])
    return [r.code, r.stdout]
  }

  it('hapair-vip: start adds the VIP and announces it; a second start only announces; stop removes it once', () => {
    h.set({})
    assert.deepEqual(status(vip), [3, 'stopped\n'])
    assert.equal(h.run(vip, ['start']).code, 0, readFileSync(h.log, 'utf8'))
    assert.deepEqual(mutating(h.calls()), ['ip addr add 192.0.2.100/24 dev eth0', 'send_arp -i 200 -r 5 eth0 192.0.2.100 auto not_used not_used'])
    assert.deepEqual(status(vip), [0, 'running\n'])
    h.clearCalls()
    assert.equal(h.run(vip, ['start']).code, 0)
    assert.deepEqual(mutating(h.calls()), ['send_arp -i 200 -r 5 eth0 192.0.2.100 auto not_used not_used'])
    h.clearCalls()
    assert.equal(h.run(vip, ['stop']).code, 0)
    assert.equal(h.run(vip, ['stop']).code, 0)
    assert.deepEqual(mutating(h.calls()), ['ip addr del 192.0.2.100/24 dev eth0'])
    assert.deepEqual(status(vip), [3, 'stopped\n'])
  })

  it('hapair-fs: start refuses on a Secondary (drbddisk starts first) and mounts nothing', () => {
    h.set({roleLocal: 'Secondary'})
    h.clearCalls()
    assert.equal(h.run(fs, ['start']).code, 1)
    assert.deepEqual(mutating(h.calls()), [])
    assert.match(readFileSync(h.log, 'utf8'), /REFUSED: DRBD r0 is not Primary here \(drbddisk starts before hapair-fs\)/)
  })

  it('hapair-fs: start mounts the device on the Primary, once; stop unmounts it and leaves DRBD to drbddisk', () => {
    h.set({roleLocal: 'Primary'})
    h.clearCalls()
    assert.equal(h.run(fs, ['start']).code, 0, readFileSync(h.log, 'utf8'))
    assert.equal(h.run(fs, ['start']).code, 0)
    assert.deepEqual(mutating(h.calls()), [`mount -t ext4 ${h.device} ${h.mountPoint}`])
    assert.deepEqual(status(fs), [0, 'running\n'])
    h.clearCalls()
    assert.equal(h.run(fs, ['stop']).code, 0, readFileSync(h.log, 'utf8'))
    assert.equal(h.run(fs, ['stop']).code, 0)
    assert.deepEqual(mutating(h.calls()), [`umount ${h.mountPoint}`])
    assert.deepEqual(h.mounts(), [])
    assert.equal(h.read('role-local'), 'Primary')
    assert.deepEqual(status(fs), [3, 'stopped\n'])
  })

  it('hapair-fs: start refuses a mount point that holds another filesystem; stop kills what holds a busy mount after the grace', () => {
    h.set({roleLocal: 'Primary', mounts: [`/dev/other\t${h.mountPoint}`]})
    h.clearCalls()
    assert.equal(h.run(fs, ['start']).code, 1)
    assert.deepEqual(mutating(h.calls()), [])
    h.set({roleLocal: 'Primary', mounts: [`${h.device}\t${h.mountPoint}`], busy: [h.mountPoint]})
    h.clearCalls()
    assert.equal(h.run(fs, ['stop']).code, 0, readFileSync(h.log, 'utf8'))
    assert.deepEqual(mutating(h.calls()).filter((c) => !c.startsWith('umount')), [`fuser -k -M -m ${h.mountPoint}`])
    assert.deepEqual(h.mounts(), [])
  })

  it('an unknown action is a usage error for both', () => {
    assert.equal(h.run(vip, ['restart']).code, 2)
    assert.equal(h.run(fs, ['']).code, 2)
  })
})

describe('hapair-nfs (the haresources NFS resource)', {skip}, () => {
  before(() => requirePrereq(missing))
  let h: Harness
  let rsc: string
  before(() => {
    h = makeHarness(device!)
    rsc = h.install('hapair-nfs', renderNfsResourceScript(config, 'apt'))
  })
  after(() => h.cleanup())
  const mark = () => join(h.runDir, 'nfs-active')

  it('start refuses while the filesystem is not mounted (Filesystem starts first): NFS would export the root disk', () => {
    h.set({roleLocal: 'Primary', vip: true})
    h.clearCalls()
    assert.equal(h.run(rsc, ['start']).code, 1)
    assert.deepEqual(mutating(h.calls()), [])
    assert.match(readFileSync(h.log, 'utf8'), /REFUSED: .* is not mounted on .* \(Filesystem starts before hapair-nfs\)/)
  })

  it('start: the NFS state bound from the DRBD filesystem, the server started, clients told, exports loaded', () => {
    h.set({roleLocal: 'Primary', vip: true, mounts: [`${h.device}\t${h.mountPoint}`], active: ['rpc-statd']})
    h.clearCalls()
    const r = h.run(rsc, ['start'])
    assert.equal(r.code, 0, readFileSync(h.log, 'utf8'))
    assert.deepEqual(mutating(h.calls()), [
      'systemctl stop nfs-server nfsdcld rpc-statd nfs-idmapd',
      `mount --bind ${h.mountPoint}/.hapair-nfs ${h.nfsLib}`,
      'systemctl restart nfs-server',
      'sm-notify -f -v 192.0.2.100',
      'exportfs -ra',
    ])
    assert.ok(existsSync(mark()), 'the monitor may judge this node now')
    spawnSync('kill', [h.read('sm-notify.pid')])
    const status = h.run(rsc, ['status'])
    assert.deepEqual([status.code, status.stdout], [0, 'running\n'])
  })

  it('a second start changes nothing but re-reading the exports', () => {
    h.clearCalls()
    assert.equal(h.run(rsc, ['start']).code, 0)
    assert.deepEqual(mutating(h.calls()), ['exportfs -ra'])
  })

  it('stop: NFS stopped and /var/lib/nfs local again, the mount and DRBD left to Filesystem and drbddisk', () => {
    h.clearCalls()
    const r = h.run(rsc, ['stop'])
    assert.equal(r.code, 0, readFileSync(h.log, 'utf8'))
    assert.deepEqual(mutating(h.calls()), ['systemctl stop nfs-server nfsdcld rpc-statd nfs-idmapd', `umount ${h.nfsLib}`])
    assert.deepEqual(h.mounts(), [`${h.device}\t${h.mountPoint}`])
    assert.equal(h.read('role-local'), 'Primary')
    assert.ok(!existsSync(mark()))
    const status = h.run(rsc, ['status'])
    assert.deepEqual([status.code, status.stdout], [3, 'stopped\n'])
    h.clearCalls()
    assert.equal(h.run(rsc, ['stop']).code, 0)
    assert.deepEqual(mutating(h.calls()), [], 'a second stop changes nothing')
  })

  it('an unknown action is a usage error', () => {
    assert.equal(h.run(rsc, ['restart']).code, 2)
  })
})

describe('the NFS monitor, one look at a time', {skip}, () => {
  before(() => requirePrereq(missing))
  let h: Harness
  let rsc: string
  let monitor: string
  let hbDir: string
  before(() => {
    h = makeHarness(device!)
    rsc = h.install('hapair-nfs', renderNfsResourceScript(config, 'apt'))
    // hb_standby where the script looks first, as a stub that records its call.
    hbDir = join(h.dir, 'hb')
    mkdirSync(hbDir)
    writeFileSync(join(hbDir, 'hb_standby'), `#!/bin/bash\necho "hb_standby $*" >>${JSON.stringify(join(h.stateDir, 'calls'))}\n`)
    chmodSync(join(hbDir, 'hb_standby'), 0o755)
    monitor = h.install('nfs-monitor.sh', renderNfsMonitorScript(config, 'apt').replace(HB_TOOL_DIRS.join(' '), hbDir))
  })
  after(() => h.cleanup())
  const look = () => h.run(monitor, ['once'])
  const serving = () => {
    rmSync(join(h.runDir, 'nfs-monitor-hold'), {force: true})
    h.set({roleLocal: 'Primary', vip: true, mounts: [`${h.device}\t${h.mountPoint}`]})
    assert.equal(h.run(rsc, ['start']).code, 0)
    spawnSync('kill', [h.read('sm-notify.pid')])
    h.clearCalls()
  }
  const killNfs = () => {
    rmSync(join(h.stateDir, 'active', 'nfs-server'), {force: true})
    writeFileSync(join(h.stateDir, 'threads'), '0')
  }

  it('a node where hapair-nfs did not start is not judged, NFS down or not', () => {
    h.set({})
    h.clearCalls()
    assert.equal(look().code, 0)
    assert.equal(look().code, 0)
    assert.deepEqual(mutating(h.calls()), [])
  })

  it('healthy: nothing', () => {
    serving()
    assert.equal(look().code, 0)
    assert.deepEqual(mutating(h.calls()), [])
  })

  it('NFS killed: nothing on the first look, a restart on the second', () => {
    serving()
    killNfs()
    look()
    assert.deepEqual(mutating(h.calls()), [], 'one failed look is not enough')
    look()
    assert.deepEqual(mutating(h.calls()), ['systemctl restart nfs-server', 'sm-notify -f -v 192.0.2.100', 'exportfs -ra'])
    spawnSync('kill', [h.read('sm-notify.pid')])
    assert.match(readFileSync(h.log, 'utf8'), /monitor: NFS server restarted/)
  })

  it('NFS that will not start: hb_standby hands the resources over, then a hold-down', () => {
    serving()
    killNfs()
    writeFileSync(join(h.stateDir, 'nfs-broken'), '')
    look()
    look()
    assert.deepEqual(mutating(h.calls()), ['systemctl restart nfs-server', 'hb_standby all'])
    assert.match(readFileSync(h.log, 'utf8'), /handing the resources to the peer \(hb_standby\)/)
    h.clearCalls()
    look()
    look()
    assert.deepEqual(mutating(h.calls()), [], 'held down: no second hand-over at once')
  })

  it('a start or stop holding the lock is not judged', () => {
    serving()
    killNfs()
    const holder = spawnSync('bash', ['-c', `exec 9>>${JSON.stringify(join(h.runDir, 'ha.lock'))}; flock 9; bash ${JSON.stringify(monitor)} once; bash ${JSON.stringify(monitor)} once`], {encoding: 'utf8'})
    assert.equal(holder.status, 0)
    assert.deepEqual(mutating(h.calls()), [])
  })
})
