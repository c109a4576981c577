/** The heartbeat steps: facts -> plan (and verify), from fact values and recorded fixtures. */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parse} from 'yaml'
import {testContext, TEST_SECRETS} from '../../../helpers/cluster.js'
import {secretFile} from '../../../helpers/secret-file.js'
import {recorded} from '../../../helpers/recorded.js'
import type {CommandChange, FileChange, StepContext} from '../../../../src/engine/step.js'
import {loadRunbook, RUNBOOK_DIR} from '../../../../src/engine/runbook.js'
import {RefusalError} from '../../../../src/errors.js'
import {SCRIPT_HEADER} from '../../../../src/transport/host.js'
import {osFact, type OsInfo} from '../../../../src/facts/os.js'
import type {ClStatus} from '../../../../src/facts/heartbeat.js'
import {STACK_DESCRIPTORS} from '../../../../src/stacks/registry.js'
import {heartbeatSteps} from '../../../../src/steps/heartbeat/index.js'
import {heartbeatSection} from '../../../../src/steps/heartbeat/sections.js'
import {DRBDDISK_PATH, heartbeatPackagesStep} from '../../../../src/steps/heartbeat/packages.js'
import {heartbeatConfigStep, IPFAIL_DEFAULT, type HeartbeatConfigFacts} from '../../../../src/steps/heartbeat/config.js'
import {heartbeatNfsStep, type HeartbeatNfsFacts} from '../../../../src/steps/heartbeat/nfs.js'
import {clStatusProblems, heartbeatServiceStep, startAndWaitScript, type HeartbeatServiceFacts} from '../../../../src/steps/heartbeat/service.js'
import {AUTHKEYS_PATH, AUTHKEYS_SECRET_KEYS, HA_CF_PATH, HARESOURCES_PATH, renderAuthkeys, renderHaCf, renderHaresources} from '../../../../src/templates/heartbeat.js'
import {DRBDDISK_MARK, renderDrbddisk} from '../../../../src/templates/scripts/drbddisk.js'
import {NFS_MONITOR_PATH, NFS_MONITOR_UNIT, NFS_MONITOR_UNIT_PATH, NFS_RESOURCE_PATH, renderNfsMonitorScript, renderNfsMonitorUnit, renderNfsResourceScript} from '../../../../src/templates/scripts/heartbeat-nfs.js'
import {APT_REPOS, DEBIAN, file, missing, services, vip} from '../ha-facts.js'
import {procState, mirrored} from '../drbd/drbd-facts.js'

const nfsCtx = testContext({stack: 'heartbeat', keepalived: undefined})
const fsCtx = testContext({stack: 'heartbeat', service: 'filesystem', keepalived: undefined, nfs: undefined})
const [node1, node2] = nfsCtx.nodes
const os = (hostname: string): OsInfo => ({...DEBIAN, hostname})
const rocky = osFact.parse(recorded('distro', 'os-rocky-9.4').output, 0)
const paths = (changes: unknown[]) => (changes as (FileChange | CommandChange)[]).map((c) => [c.node, c.kind === 'file' ? c.path : c.title])

describe('heartbeat steps are registered, and their runbooks', () => {
  it('packages, nfs, config, service', () => {
    assert.deepEqual(heartbeatSteps.map((s) => s.id), ['heartbeat.packages', 'heartbeat.resources', 'heartbeat.nfs', 'heartbeat.config', 'heartbeat.service'])
  })

  it('ha-heartbeat: NFS, then heartbeat; the NFS resource before haresources names it; the service last', () => {
    assert.deepEqual(loadRunbook('ha-heartbeat').entries.map((e) => e.step.id), ['nfs.packages', 'nfs.config', 'nfs.boot', 'heartbeat.packages', 'heartbeat.resources', 'heartbeat.nfs', 'heartbeat.config', 'heartbeat.service'])
    assert.deepEqual(loadRunbook('ha-heartbeat-filesystem').entries.map((e) => e.step.id), ['heartbeat.packages', 'heartbeat.resources', 'heartbeat.config', 'heartbeat.service'])
  })

  it('drbd-heartbeat and nfs-heartbeat: partition, drbd-init, then their HA layer, named as the descriptors say', () => {
    for (const s of STACK_DESCRIPTORS.filter((d) => d.manager.id === 'heartbeat')) {
      const doc = parse(readFileSync(join(RUNBOOK_DIR, `${s.runbook}.yaml`), 'utf8')) as {name: string; steps: unknown[]}
      assert.equal(doc.name, s.runbook)
      assert.deepEqual(doc.steps, [{include: 'partition'}, {include: 'drbd-init'}, {include: s.haInstallRunbook}])
      assert.ok(loadRunbook(s.runbook).entries.length > 10)
    }
  })
})

describe('heartbeat.packages', () => {
  const f = (o: Record<string, unknown> = {}) => ({os: DEBIAN, installed: new Set(['heartbeat', 'resource-agents']), repos: APT_REPOS, drbddisk: missing, ...o})
  it('fresh Debian: heartbeat + resource-agents; drbddisk from drbd-utils is left alone', () => {
    const shipped = file('#!/bin/bash\n# This script is inteded to be used as resource script by heartbeat\n', 0o755)
    const plan = heartbeatPackagesStep.plan(nfsCtx, {node1: f({installed: new Set(), drbddisk: shipped}), node2: f({drbddisk: shipped})})
    assert.deepEqual(paths(plan.changes), [['node1', 'install heartbeat resource-agents']])
    assert.ok(plan.notes.includes(`node1: ${DRBDDISK_PATH} comes from drbd-utils; hapair leaves it alone`))
  })

  it('no drbddisk: hapair writes its own (0755, bash -n); its own is kept up to date, then left', () => {
    const plan = heartbeatPackagesStep.plan(nfsCtx, {node1: f(), node2: f({drbddisk: file(renderDrbddisk(), 0o755)})})
    assert.deepEqual(paths(plan.changes), [['node1', DRBDDISK_PATH]])
    const c = plan.changes[0] as FileChange
    assert.deepEqual([c.mode, c.validate], [0o755, 'bash -n {}'])
    assert.ok(c.content.includes(DRBDDISK_MARK))
    const old = file(`#!/bin/bash\n${DRBDDISK_MARK} (an older hapair)\n`, 0o755)
    assert.deepEqual(paths(heartbeatPackagesStep.plan(nfsCtx, {node1: f({drbddisk: old}), node2: f({drbddisk: file(renderDrbddisk(), 0o755)})}).changes), [['node1', DRBDDISK_PATH]])
  })

  it('the RHEL family: refused before anything, pointing to pacemaker', () => {
    assert.throws(() => heartbeatPackagesStep.plan(nfsCtx, {node1: f({os: rocky, installed: new Set()}), node2: f()}), (e: Error) => e instanceof RefusalError && /node1: heartbeat cannot be installed on Rocky Linux 9\.4.*pacemaker/.test(e.message))
  })
})

describe('heartbeat.config', () => {
  const route = {dev: 'eth0', error: null}
  const cl = (running = false): ClStatus => ({available: true, running, resources: running ? 'none' : 'unknown'})
  const fresh = (name: string, o: Partial<HeartbeatConfigFacts> = {}): HeartbeatConfigFacts => ({
    os: os(name),
    route,
    ipfail: {path: IPFAIL_DEFAULT},
    haCf: missing,
    haresources: missing,
    authkeys: {...missing, sha256: null},
    cl: cl(),
    ...o,
  })
  const done = (ctx: StepContext, node: typeof node1, o: Partial<HeartbeatConfigFacts> = {}): HeartbeatConfigFacts => {
    const hb = heartbeatSection(ctx)
    const resources = ctx.config.nfs ? ['hapair-vip', 'drbddisk::r0', 'hapair-fs', 'hapair-nfs'] : ['drbddisk::r0', 'hapair-fs']
    return fresh(node.name, {
      haCf: file(renderHaCf(ctx.config, hb, node, {unames: ['node1', 'node2'], iface: 'eth0', ipfail: IPFAIL_DEFAULT})),
      haresources: file(renderHaresources(ctx.config, 'node1', resources)),
      authkeys: secretFile(renderAuthkeys(ctx.config, ctx.secrets), 0o600, AUTHKEYS_SECRET_KEYS),
      ...o,
    })
  }
  const ctxWith = (heartbeat: Record<string, unknown>) => testContext({stack: 'heartbeat', keepalived: undefined, heartbeat})

  it('fresh: ha.cf, haresources and authkeys (secret, 0600) on each node; haresources identical', () => {
    const plan = heartbeatConfigStep.plan(nfsCtx, {node1: fresh('node1'), node2: fresh('node2')})
    assert.deepEqual(paths(plan.changes), [
      ['node1', HA_CF_PATH],
      ['node1', HARESOURCES_PATH],
      ['node1', AUTHKEYS_PATH],
      ['node2', HA_CF_PATH],
      ['node2', HARESOURCES_PATH],
      ['node2', AUTHKEYS_PATH],
    ])
    const [cf1, res1, auth1, cf2, res2, auth2] = plan.changes as FileChange[]
    assert.match(cf1.content, /^ucast eth0 192\.168\.77\.12$/m)
    assert.match(cf2.content, /^ucast eth0 192\.168\.77\.11$/m)
    assert.equal(res1.content, res2.content)
    assert.equal(auth1.content, auth2.content)
    assert.deepEqual([auth1.mode, auth1.secret, auth1.shown?.includes(TEST_SECRETS.heartbeatAuthkey)], [0o600, true, false])
    assert.deepEqual([cf1.mode, res1.mode], [0o644, 0o644])
  })

  it('converged: nothing; converged drbd-heartbeat too', () => {
    const plan = heartbeatConfigStep.plan(nfsCtx, {node1: done(nfsCtx, node1), node2: done(nfsCtx, node2)})
    assert.deepEqual(plan.changes, [])
    assert.deepEqual(plan.notes, ['node1: ha.cf, haresources and authkeys up to date (ucast, auto_failback off)', 'node2: ha.cf, haresources and authkeys up to date (ucast, auto_failback off)'])
    assert.deepEqual(heartbeatConfigStep.plan(fsCtx, {node1: done(fsCtx, node1), node2: done(fsCtx, node2)}).changes, [])
  })

  it('a changed setting while heartbeat runs: the file, then heartbeat -r (keeps its resources)', () => {
    const ctx = ctxWith({autoFailback: true})
    const plan = heartbeatConfigStep.plan(ctx, {node1: done(nfsCtx, node1, {cl: cl(true)}), node2: done(nfsCtx, node2)})
    assert.deepEqual(paths(plan.changes), [
      ['node1', HA_CF_PATH],
      ['node1', 'heartbeat re-reads its configuration (keeps its resources)'],
      ['node2', HA_CF_PATH],
    ])
    assert.match((plan.changes[1] as CommandChange).script, /\[ -x "\$d\/heartbeat" \] && exec "\$d\/heartbeat" -r;/)
  })

  it('heartbeat names nodes by uname -n: haresources names the preferred node as it answers', () => {
    const ctx = testContext({stack: 'heartbeat', keepalived: undefined, nodes: [{name: 'node1', address: '192.168.77.11', priority: 10}, {name: 'node2', address: '192.168.77.12', priority: 20}]})
    const plan = heartbeatConfigStep.plan(ctx, {node1: fresh('node1'), node2: fresh('vm2')})
    assert.match((plan.changes[1] as FileChange).content, /^vm2 hapair-vip drbddisk::r0 hapair-fs hapair-nfs$/m)
    assert.match((plan.changes[0] as FileChange).content, /^node node1\nnode vm2$/m)
    assert.ok(plan.notes.some((n) => /node2: `uname -n` is vm2/.test(n)))
  })

  it('refusals, gathered: no route to the peer and no heartbeat.interface, an empty uname, twin names', () => {
    const plan = () => heartbeatConfigStep.plan(nfsCtx, {node1: fresh('node1', {route: {dev: null, error: 'RTNETLINK answers: Network is unreachable'}}), node2: fresh('')})
    assert.throws(plan, (e: Error) => e instanceof RefusalError && /node1: cannot tell which interface reaches 192\.168\.77\.12 \(RTNETLINK answers: Network is unreachable\); set heartbeat\.interface/.test(e.message) && /node2: `uname -n` printed nothing/.test(e.message))
    assert.throws(() => heartbeatConfigStep.plan(nfsCtx, {node1: fresh('vm'), node2: fresh('vm')}), /both nodes answer `uname -n` with vm/)
    // The cluster file's interface needs no route.
    const named = heartbeatConfigStep.plan(ctxWith({interface: 'eth1'}), {node1: fresh('node1', {route: {dev: null, error: 'x'}}), node2: fresh('node2')})
    assert.match((named.changes[0] as FileChange).content, /^ucast eth1 192\.168\.77\.12$/m)
  })

  it('a ping node: ipfail where the node has it, Debian’s path (said) while heartbeat is not installed', () => {
    const ctx = ctxWith({ping: '192.168.77.1'})
    const plan = heartbeatConfigStep.plan(ctx, {node1: fresh('node1', {ipfail: {path: '/usr/lib/heartbeat/ipfail'}}), node2: fresh('node2', {ipfail: {path: null}})})
    assert.match((plan.changes[0] as FileChange).content, /^ping 192\.168\.77\.1\nrespawn hacluster \/usr\/lib\/heartbeat\/ipfail$/m)
    assert.match((plan.changes[3] as FileChange).content, /^respawn hacluster \/usr\/libexec\/heartbeat\/ipfail$/m)
    assert.ok(plan.notes.some((n) => n.startsWith('node2: ipfail not found')))
  })

  it('the key shows only in the (secret) file content, never in titles, scripts or notes', () => {
    const plan = heartbeatConfigStep.plan(nfsCtx, {node1: fresh('node1', {cl: cl(true)}), node2: done(nfsCtx, node2)})
    const visible = [...plan.notes, ...plan.changes.map((c) => c.title), ...plan.changes.filter((c) => c.kind === 'command').map((c) => (c as CommandChange).script), ...plan.changes.map((c) => (c as FileChange).shown ?? '')].join('\n')
    assert.ok(!visible.includes(TEST_SECRETS.heartbeatAuthkey))
  })
})

describe('heartbeat.nfs', () => {
  const fresh: HeartbeatNfsFacts = {os: DEBIAN, resource: missing, monitor: missing, unit: missing, services: services({[NFS_MONITOR_UNIT]: ['inactive', 'not-found']})}
  const done = (active = true): HeartbeatNfsFacts => ({
    os: DEBIAN,
    resource: file(renderNfsResourceScript(nfsCtx.config, 'apt'), 0o755),
    monitor: file(renderNfsMonitorScript(nfsCtx.config, 'apt'), 0o755),
    unit: file(renderNfsMonitorUnit(nfsCtx.config)),
    services: services({[NFS_MONITOR_UNIT]: [active ? 'active' : 'inactive', 'enabled']}),
  })

  it('fresh: the resource script, the monitor and its unit, daemon-reload, enabled and started, on each node', () => {
    const plan = heartbeatNfsStep.plan(nfsCtx, {node1: fresh, node2: fresh})
    const one = [NFS_RESOURCE_PATH, NFS_MONITOR_PATH, NFS_MONITOR_UNIT_PATH, 'systemctl daemon-reload (NFS monitor unit)', `enable ${NFS_MONITOR_UNIT}`, `start ${NFS_MONITOR_UNIT}`]
    assert.deepEqual(paths(plan.changes), [...one.map((x) => ['node1', x]), ...one.map((x) => ['node2', x])])
    const [resource, monitor] = plan.changes as FileChange[]
    assert.deepEqual([resource.mode, resource.validate, monitor.mode], [0o755, 'bash -n {}', 0o755])
  })

  it('converged: nothing; a stopped monitor is started; a changed monitor restarts the running one', () => {
    assert.deepEqual(heartbeatNfsStep.plan(nfsCtx, {node1: done(), node2: done()}).changes, [])
    assert.deepEqual(paths(heartbeatNfsStep.plan(nfsCtx, {node1: done(), node2: done(false)}).changes), [['node2', `start ${NFS_MONITOR_UNIT}`]])
    const older = {...done(), monitor: file('#!/bin/bash\n', 0o755)}
    assert.deepEqual(paths(heartbeatNfsStep.plan(nfsCtx, {node1: older, node2: done()}).changes), [['node1', NFS_MONITOR_PATH], ['node1', `restart ${NFS_MONITOR_UNIT}`]])
  })

  it('verify: the monitor runs on both nodes', () => {
    assert.deepEqual(heartbeatNfsStep.verify!(nfsCtx, {node1: done(), node2: done(false)}), [`node2: ${NFS_MONITOR_UNIT} is not running (journalctl -u ${NFS_MONITOR_UNIT})`])
  })

  it('an export outside the DRBD filesystem is refused', () => {
    const bad = testContext({stack: 'heartbeat', keepalived: undefined, nfs: {exports: [{path: '/srv', clients: '*'}]}})
    assert.throws(() => heartbeatNfsStep.plan(bad, {node1: fresh, node2: fresh}), /not on the DRBD filesystem/)
  })
})

describe('heartbeat.service', () => {
  const primary = procState('proc84-uptodate')
  const standbyState = mirrored(primary)
  const cl = (running: boolean, resources: ClStatus['resources']): ClStatus => ({available: true, running, resources})
  const hbUnits = (a: string, e = 'enabled') => services({heartbeat: [a, e], 'nfs-server': [a === 'active' ? 'inactive' : 'inactive', 'disabled']})
  const stopped = (o: Partial<HeartbeatServiceFacts> = {}): HeartbeatServiceFacts => ({
    os: DEBIAN,
    services: hbUnits('inactive', 'disabled'),
    drbd: {hostname: 'x', loaded: '8.4.11', available: '8.4.11', utils: true, major: 8, state: standbyState},
    vip: vip(false),
    cl: cl(false, 'unknown'),
    serving: {mountedSource: null, stateBound: false},
    ...o,
  })
  const holder = stopped({
    services: services({heartbeat: ['active', 'enabled'], 'nfs-server': ['active', 'disabled']}),
    drbd: {...stopped().drbd, state: primary},
    vip: vip(true),
    cl: cl(true, 'all'),
    serving: {mountedSource: '/dev/drbd0', stateBound: true},
  })
  const standby = stopped({services: hbUnits('active'), cl: cl(true, 'none')})

  it('fresh: enable both; the preferred node starts first and waits (initdead + margin) to hold VIP, DRBD, mount and NFS', () => {
    const plan = heartbeatServiceStep.plan(nfsCtx, {node1: stopped(), node2: stopped()})
    assert.deepEqual(paths(plan.changes), [
      ['node1', 'enable heartbeat at boot'],
      ['node1', 'start heartbeat and take over DRBD + NFS'],
      ['node2', 'enable heartbeat at boot'],
      ['node2', 'start heartbeat'],
    ])
    const takeOver = (plan.changes[1] as CommandChange).script
    assert.match(takeOver, /^systemctl start heartbeat\nok=0\nfor i in \$\(seq 1 110\); do$/m)
    assert.match(takeOver, /if \[ "\$ok" -ge 4 \]; then echo "holds DRBD \+ NFS after/)
    assert.match(takeOver, /ip -4 -o addr show dev 'eth0' \| grep -F ' inet 192\.168\.77\.100\/' >\/dev\/null && drbdadm role 'r0' 2>\/dev\/null \| grep '\^Primary' >\/dev\/null && systemctl is-active --quiet 'nfs-server' && mountpoint -q \/var\/lib\/nfs/)
    assert.match(takeOver, /tail -n 25 \/var\/log\/ha-log/)
    assert.equal((plan.changes[1] as CommandChange).timeoutMs, (20 + 90 + 30) * 1000)
    assert.match((plan.changes[3] as CommandChange).script, /\|\| ! \{ systemctl is-active --quiet 'nfs-server'; \}; \}; then ok=/)
    assert.equal(heartbeatServiceStep.sequential, true)
  })

  it('the start script runs under the transport’s set -euo pipefail while cl_status cannot answer yet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hapair-hbstart-'))
    try {
      // sleep is faked: the loop's seconds are counted, not waited.
      for (const [name, body] of [['systemctl', 'exit 0'], ['cl_status', 'exit 1'], ['sleep', 'exit 0']]) {
        writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`)
        chmodSync(join(dir, name), 0o755)
      }
      const script = `${SCRIPT_HEADER}export PATH=${dir}:$PATH\n${startAndWaitScript(nfsCtx, 'true', 'holds DRBD + NFS')}`
      const r = spawnSync('bash', ['-s'], {input: script, encoding: 'utf8'})
      // Settled only once the condition held STABLE_S looks in a row.
      assert.deepEqual([r.status, r.stdout], [0, 'holds DRBD + NFS after 4 s (cl_status rscstatus: )\n'], r.stderr)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('drbd-heartbeat: no VIP in the wait, the mount instead of NFS', () => {
    const plan = heartbeatServiceStep.plan(fsCtx, {node1: stopped({vip: null}), node2: stopped({vip: null})})
    const takeOver = (plan.changes[1] as CommandChange).script
    assert.equal(plan.changes[1].title, 'start heartbeat and take over DRBD + the filesystem')
    assert.doesNotMatch(takeOver, /inet/)
    assert.match(takeOver, /drbdadm role 'r0' 2>\/dev\/null \| grep '\^Primary' >\/dev\/null && findmnt -rn -o SOURCE --mountpoint '\/data' \| grep -xF '\/dev\/drbd0' >\/dev\/null/)
  })

  it('the preferred node is the higher priority and goes first; with auto_failback on it takes the group back', () => {
    const c = testContext({stack: 'heartbeat', keepalived: undefined, heartbeat: {autoFailback: true}, nodes: [{name: 'node1', address: '192.168.77.11', priority: 50}, {name: 'node2', address: '192.168.77.12', priority: 150}]})
    assert.deepEqual(heartbeatServiceStep.nodes!(c).map((n) => n.name), ['node2', 'node1'])
    assert.deepEqual(paths(heartbeatServiceStep.plan(c, {node1: holder, node2: stopped({services: hbUnits('inactive')})}).changes), [['node2', 'start heartbeat and take over DRBD + NFS']])
    const off = testContext({stack: 'heartbeat', keepalived: undefined, nodes: c.nodes})
    assert.deepEqual(paths(heartbeatServiceStep.plan(off, {node1: holder, node2: stopped({services: hbUnits('inactive')})}).changes), [['node2', 'start heartbeat']])
  })

  it('converged: nothing', () => {
    const plan = heartbeatServiceStep.plan(nfsCtx, {node1: holder, node2: standby})
    assert.deepEqual(plan.changes, [])
    assert.deepEqual(plan.notes, ['node1: heartbeat enabled and running', 'node2: heartbeat enabled and running'])
  })

  it('verify: one node holds VIP, Primary, mount and NFS, cl_status agrees; either node may be the holder', () => {
    assert.deepEqual(heartbeatServiceStep.verify!(nfsCtx, {node1: holder, node2: standby}), [])
    assert.deepEqual(heartbeatServiceStep.verify!(nfsCtx, {node1: {...standby, cl: cl(true, 'none')}, node2: {...holder, cl: cl(true, 'foreign')}}), [])
  })

  it('verify names what is wrong', () => {
    assert.deepEqual(heartbeatServiceStep.verify!(nfsCtx, {node1: standby, node2: standby}), [
      'no node is DRBD Primary: heartbeat did not start its resources (see /var/log/ha-log)',
    ])
    const noNfs = {...holder, services: services({heartbeat: ['active', 'enabled'], 'nfs-server': ['inactive', 'disabled']})}
    assert.deepEqual(heartbeatServiceStep.verify!(nfsCtx, {node1: noNfs, node2: {...standby, vip: vip(true)}}), [
      'node1 holds the VIP but the NFS server is not running',
      'node2 holds the VIP 192.168.77.100 but is not the DRBD Primary',
    ])
    assert.deepEqual(heartbeatServiceStep.verify!(nfsCtx, {node1: {...holder, cl: cl(true, 'transition')}, node2: {...standby, cl: cl(false, 'unknown')}}), [
      'node1: heartbeat is still moving resources (cl_status rscstatus: transition)',
      'node2: heartbeat does not answer cl_status',
    ])
  })

  it('verify under auto_failback on: the preferred node must hold when it runs heartbeat; under off either may', () => {
    const on = testContext({stack: 'heartbeat', keepalived: undefined, heartbeat: {autoFailback: true}})
    const swapped = {node1: {...standby, cl: cl(true, 'none')}, node2: {...holder, cl: cl(true, 'foreign')}}
    assert.deepEqual(heartbeatServiceStep.verify!(on, swapped), ['node2 holds the resources, but auto_failback is on and node1 (preferred) runs heartbeat: they should have moved back'])
    assert.deepEqual(heartbeatServiceStep.verify!(nfsCtx, swapped), [])
  })

  it('cl_status: the owner holds "local" (or all), the peer "foreign"; a node that does not hold must not claim', () => {
    assert.deepEqual(clStatusProblems('node1', true, true, cl(true, 'local')), [])
    assert.deepEqual(clStatusProblems('node2', false, true, cl(true, 'foreign')), [])
    assert.deepEqual(clStatusProblems('node2', false, false, cl(true, 'local')), [], 'the peer owns no group of its own: local holds nothing')
    assert.deepEqual(clStatusProblems('node1', true, true, cl(true, 'none')), ['node1 holds the resources but cl_status rscstatus says none'])
    assert.deepEqual(clStatusProblems('node1', true, false, cl(true, 'local')), ['node1 does not hold the resources but cl_status rscstatus says local'])
  })
})
