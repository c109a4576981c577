/**
 * Under a manager that owns the DRBD role and the mount (heartbeat), drbd.primary, filesystem.mkfs
 * and filesystem.mount act at setup and stand down once the manager runs on a node; fstab lines for
 * the device are commented out. Under keepalived the same steps stand down once it runs (its
 * notify scripts promote and mount), and fstab is only pointed out.
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import type {CommandChange} from '../../../../src/engine/step.js'
import type {MountInfo} from '../../../../src/facts/mounts.js'
import type {ServiceStates} from '../../../../src/facts/services.js'
import {managerUnitFacts} from '../../../../src/steps/drbd/common.js'
import {drbdPrimary} from '../../../../src/steps/drbd/primary.js'
import {filesystemMkfs} from '../../../../src/steps/filesystem/mkfs.js'
import {disableFstabScript, filesystemMount} from '../../../../src/steps/filesystem/mount.js'
import {testContext} from '../../../helpers/cluster.js'
import {services} from '../ha-facts.js'
import {drbdFacts, gi, mirrored, procState} from './drbd-facts.js'

const hbCtx = testContext({stack: 'heartbeat', keepalived: undefined})
const kaCtx = testContext()
const running = services({heartbeat: ['active', 'enabled']})
const stopped = services({heartbeat: ['inactive', 'enabled']})
const upToDate = procState('proc84-uptodate')
const bothSecondary = {...upToDate, role: 'Secondary', peerRole: 'Secondary'}
const unreadable = {exists: true, readable: false, signatures: [], error: 'Wrong medium type'}

describe('which steps read the manager unit', () => {
  it("each manager's own unit, in the same remote call", () => {
    assert.deepEqual(Object.keys(managerUnitFacts(hbCtx)), ['ha'])
    assert.match(drbdPrimary.facts(hbCtx, hbCtx.nodes[0]).script, /@@hapair-fact ha'\n\( for u in 'heartbeat'/)
    assert.match(drbdPrimary.facts(kaCtx, kaCtx.nodes[0]).script, /@@hapair-fact ha'\n\( for u in 'keepalived'/)
  })
})

describe('drbd.primary under heartbeat', () => {
  const facts = (state: typeof upToDate, ha: [ServiceStates, ServiceStates], g: 'used' | 'fresh' = 'used') => ({
    node1: {drbd: drbdFacts('node1', {state, gi: gi(g)}), ha: ha[0]},
    node2: {drbd: drbdFacts('node2', {state: mirrored(state), gi: gi(g)}), ha: ha[1]},
  })

  it('heartbeat running on a node, nobody Primary: no promotion, the note says heartbeat owns it', () => {
    const plan = drbdPrimary.plan(hbCtx, facts(bothSecondary, [stopped, running]))
    assert.deepEqual(plan.changes, [])
    assert.match(plan.notes[0], /^heartbeat 3 \(haresources\) runs on node2 and owns the DRBD role and the mount: hapair leaves making a node Primary/)
  })

  it('heartbeat stopped everywhere (setup, or both stopped): the preferred node is made Primary as under keepalived', () => {
    const plan = drbdPrimary.plan(hbCtx, facts(bothSecondary, [stopped, stopped]))
    assert.deepEqual((plan.changes as CommandChange[]).map((c) => [c.node, c.script]), [['node1', "drbdadm primary 'r0' </dev/null\n"]])
  })

  it('a new device is forced Primary even with heartbeat running (nobody holds data yet)', () => {
    const fresh = procState('proc84-connected-inconsistent')
    const plan = drbdPrimary.plan(hbCtx, facts(fresh, [running, running], 'fresh'))
    assert.match((plan.changes[0] as CommandChange).script, /^drbdadm primary --force 'r0'/)
  })

  it("keepalived: its notify scripts promote once it runs (a takeover between demote and promote is not hapair's to finish); stopped everywhere, the preferred node is made Primary", () => {
    const ka = (state: string) => services({keepalived: [state, 'enabled']})
    const standing = drbdPrimary.plan(kaCtx, facts(bothSecondary, [ka('inactive'), ka('active')]))
    assert.deepEqual(standing.changes, [])
    assert.match(standing.notes.join('\n'), /keepalived \(VRRP\) \(through hapair's notify scripts\) runs on node2 .*leaves making a node Primary/)
    assert.equal(drbdPrimary.plan(kaCtx, facts(bothSecondary, [ka('inactive'), ka('inactive')])).changes.length, 1)
  })
})

describe('filesystem.mkfs under heartbeat', () => {
  it('no Primary while heartbeat runs: nothing to check, said; stopped everywhere: refused as before', () => {
    const facts = (ha: ServiceStates) => ({
      node1: {drbd: drbdFacts('node1', {state: bothSecondary}), device: unreadable, mkfs: {found: true}, ha},
      node2: {drbd: drbdFacts('node2', {state: bothSecondary}), device: unreadable, mkfs: {found: true}, ha},
    })
    const plan = filesystemMkfs.plan(hbCtx, facts(running))
    assert.deepEqual(plan.changes, [])
    assert.match(plan.notes[0], /owns the DRBD role and the mount/)
    assert.throws(() => filesystemMkfs.plan(hbCtx, facts(stopped)), /no node is Primary/)
  })
})

describe('filesystem.mount under heartbeat', () => {
  const m = (o: Partial<MountInfo> = {}): MountInfo => ({dirExists: true, atTarget: [], ofDevice: [], fstabLines: [], ...o})
  const facts = (state: typeof upToDate, ha: ServiceStates, a = m(), b = m()) => ({
    node1: {drbd: drbdFacts('node1', {state}), mount: a, ha},
    node2: {drbd: drbdFacts('node2', {state: mirrored(state)}), mount: b, ha},
  })

  it('heartbeat running: the Primary is not mounted by hapair (a takeover may be half-way); mount points still made', () => {
    const plan = filesystemMount.plan(hbCtx, facts(upToDate, running, m(), m({dirExists: false})))
    assert.deepEqual((plan.changes as CommandChange[]).map((c) => [c.node, c.script.trim()]), [['node2', "mkdir -p '/data'"]])
    assert.match(plan.notes[0], /hapair leaves mounting \/data to it/)
  })

  it('heartbeat running and nobody Primary: not refused, left to heartbeat', () => {
    assert.deepEqual(filesystemMount.plan(hbCtx, facts(bothSecondary, running)).changes, [])
  })

  it('at setup (heartbeat not running): mounted on the Primary as under keepalived', () => {
    const plan = filesystemMount.plan(hbCtx, facts(upToDate, stopped))
    assert.deepEqual((plan.changes as CommandChange[]).map((c) => [c.node, c.script.trim()]), [['node1', "mount -t ext4 '/dev/drbd0' '/data'"]])
  })

  it('an fstab line for the device is commented out on that node (keepalived: only pointed out)', () => {
    const line = '/dev/drbd0 /data ext4 defaults 0 0'
    const plan = filesystemMount.plan(hbCtx, facts(upToDate, running, m(), m({fstabLines: [line]})))
    assert.deepEqual((plan.changes as CommandChange[]).map((c) => [c.node, c.title]), [['node2', 'comment out the /etc/fstab line for /dev/drbd0 (the HA manager mounts it; old file kept as /etc/fstab.hapair-bak)']])
  })
})

describe('disableFstabScript, run by bash on a copy of fstab', () => {
  it('comments out the lines naming the device or the mount point, keeps the rest, the mode and a backup; a second run changes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hapair-fstab-'))
    try {
      const fstab = ['# /etc/fstab', 'UUID=abc / ext4 errors=remount-ro 0 1', '/dev/drbd0 /srv ext4 defaults 0 0', 'other:/x /data nfs defaults 0 0', '# /dev/drbd0 /data ext4 defaults 0 0', '/dev/vdb2 /data2 ext4 defaults 0 0', ''].join('\n')
      writeFileSync(join(dir, 'fstab'), fstab, {mode: 0o640})
      const script = disableFstabScript('/dev/drbd0', '/data').replaceAll('/etc/', `${dir}/`)
      execFileSync('bash', ['-c', `set -euo pipefail\n${script}`])
      const prefix = '# disabled by hapair (the HA manager mounts it on the active node): '
      assert.equal(
        readFileSync(join(dir, 'fstab'), 'utf8'),
        ['# /etc/fstab', 'UUID=abc / ext4 errors=remount-ro 0 1', `${prefix}/dev/drbd0 /srv ext4 defaults 0 0`, `${prefix}other:/x /data nfs defaults 0 0`, '# /dev/drbd0 /data ext4 defaults 0 0', '/dev/vdb2 /data2 ext4 defaults 0 0', ''].join('\n'),
      )
      assert.equal(readFileSync(join(dir, 'fstab.hapair-bak'), 'utf8'), fstab)
      assert.equal(statSync(join(dir, 'fstab')).mode & 0o777, 0o640)
      const once = readFileSync(join(dir, 'fstab'), 'utf8')
      execFileSync('bash', ['-c', `set -euo pipefail\n${script}`])
      assert.equal(readFileSync(join(dir, 'fstab'), 'utf8'), once)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
