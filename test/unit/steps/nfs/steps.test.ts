import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {testContext} from '../../../helpers/cluster.js'
import {RefusalError, UsageError} from '../../../../src/errors.js'
import type {CommandChange, FileChange} from '../../../../src/engine/step.js'
import {nfsConfigStep, pathsInExports, type NfsConfigFacts} from '../../../../src/steps/nfs/config.js'
import {nfsBootStep, type NfsBootFacts} from '../../../../src/steps/nfs/boot.js'
import {nfsPackagesStep} from '../../../../src/steps/nfs/packages.js'
import {nfsSteps} from '../../../../src/steps/nfs/index.js'
import {EXPORTS_PATH, renderExports} from '../../../../src/templates/exports.js'
import {NFS_CONF_DROPIN_PATH, NFS_CONF_PATH, renderNfsConfDropIn, withNfsConfBlock} from '../../../../src/templates/nfs-conf.js'
import {DEBIAN, ROCKY, UNKNOWN_OS, file, missing, services} from '../ha-facts.js'

const ctx = testContext()

function configFacts(o: Partial<NfsConfigFacts> = {}): NfsConfigFacts {
  return {
    os: DEBIAN,
    exportsFile: missing,
    etcExports: file('# /etc/exports: the access control list\n'),
    dropIn: missing,
    nfsConf: file('[nfsd]\n# lease-time=90\n'),
    conf: {dropInDir: true, nfsconf: true, leaseTime: null, graceTime: null},
    services: services({'nfs-server': ['inactive', 'disabled']}),
    exportfs: {available: true, entries: []},
    state: {mountedSource: null, stateBound: false},
    ...o,
  }
}
const HA_SERVING = {services: services({'nfs-server': ['active', 'disabled']}), state: {mountedSource: '/dev/drbd0', stateBound: true}}
const converged = (c = ctx, o: Partial<NfsConfigFacts> = {}) =>
  configFacts({
    exportsFile: file(renderExports(c.config)),
    dropIn: file(renderNfsConfDropIn(c.config)),
    conf: {dropInDir: true, nfsconf: true, leaseTime: 10, graceTime: 10},
    ...o,
  })

describe('nfs steps are registered', () => {
  it('nfs.packages, nfs.config, nfs.boot', () => {
    assert.deepEqual(nfsSteps.map((s) => s.id).sort(), ['nfs.boot', 'nfs.config', 'nfs.packages'])
  })
  it('nfs.packages installs nfs-kernel-server (apt) / nfs-utils (dnf) and psmisc', () => {
    const facts = nfsPackagesStep.facts(ctx, ctx.nodes[0])
    assert.match(facts.script, /nfs-kernel-server/)
    assert.match(facts.script, /nfs-utils/)
    assert.match(facts.script, /psmisc/)
  })
})

describe('nfs.config plan', () => {
  it('fresh nodes: the exports file and the lease/grace drop-in on each, nothing reloaded', () => {
    const plan = nfsConfigStep.plan(ctx, {node1: configFacts(), node2: configFacts()})
    assert.deepEqual(
      plan.changes.map((c) => [c.node, c.kind, (c as FileChange).path]),
      [
        ['node1', 'file', EXPORTS_PATH],
        ['node1', 'file', NFS_CONF_DROPIN_PATH],
        ['node2', 'file', EXPORTS_PATH],
        ['node2', 'file', NFS_CONF_DROPIN_PATH],
      ],
    )
    const exp = plan.changes[0] as FileChange
    assert.equal(exp.mode, 0o644)
    assert.equal(exp.before, null)
    assert.match(exp.content, /^# managed by hapair/)
  })

  it('converged: no change, and notes saying why', () => {
    const plan = nfsConfigStep.plan(ctx, {node1: converged(), node2: converged()})
    assert.deepEqual(plan.changes, [])
    assert.ok(plan.notes.some((n) => n.includes('already up to date')))
    assert.ok(plan.notes.some((n) => n.includes('lease/grace already 10/10')))
  })

  it('a new export client changes only the exports file, and reloads exports where NFS serves', () => {
    const next = testContext({nfs: {exports: [{path: '/data', clients: '192.168.77.0/24'}, {path: '/data', clients: '10.0.0.5'}]}})
    const plan = nfsConfigStep.plan(next, {
      node1: converged(ctx, HA_SERVING),
      // NFS started by the package, outside HA control: nfs.boot stops it; no exports fed to it.
      node2: converged(ctx, {services: services({'nfs-server': ['active', 'enabled']})}),
    })
    assert.deepEqual(
      plan.changes.map((c) => [c.node, c.kind === 'file' ? c.path : (c as CommandChange).script]),
      [
        ['node1', EXPORTS_PATH],
        ['node1', 'exportfs -ra'],
        ['node2', EXPORTS_PATH],
      ],
    )
    const f = plan.changes[0] as FileChange
    assert.equal(f.before, renderExports(ctx.config))
    assert.match(f.content, /10\.0\.0\.5\(/)
  })

  it('new lease/grace on a serving node: the drop-in changes, NFS is not restarted (note says when it applies)', () => {
    const next = testContext({nfs: {leaseTime: 20, graceTime: 20}})
    const plan = nfsConfigStep.plan(next, {node1: converged(ctx, HA_SERVING), node2: converged(ctx)})
    assert.deepEqual(plan.changes.map((c) => [c.node, c.kind, (c as FileChange).path]), [
      ['node1', 'file', NFS_CONF_DROPIN_PATH],
      ['node2', 'file', NFS_CONF_DROPIN_PATH],
    ])
    assert.ok(plan.notes.some((n) => n.startsWith('node1:') && n.includes('next NFS start')))
  })

  it('no /etc/nfs.conf.d: a marked block in nfs.conf, keeping its content and mode', () => {
    const nfsConf = file('[general]\npipefs-directory=/var/lib/nfs/rpc_pipefs\n', 0o640)
    const facts = configFacts({os: ROCKY, nfsConf, conf: {dropInDir: false, nfsconf: true, leaseTime: null, graceTime: null}})
    const plan = nfsConfigStep.plan(ctx, {node1: facts, node2: facts})
    const conf = plan.changes.find((c) => c.kind === 'file' && c.path === NFS_CONF_PATH) as FileChange
    assert.equal(conf.content, withNfsConfBlock(nfsConf.content, ctx.config))
    assert.ok(conf.content.startsWith(nfsConf.content!))
    assert.equal(conf.mode, 0o640)
    assert.ok(!plan.changes.some((c) => c.kind === 'file' && c.path === NFS_CONF_DROPIN_PATH))
    // and converged on the next run
    const again = {...facts, exportsFile: file(renderExports(ctx.config)), nfsConf: file(conf.content, 0o640)}
    assert.deepEqual(nfsConfigStep.plan(ctx, {node1: again, node2: again}).changes, [])
  })

  it('warns when /etc/exports also exports one of our paths', () => {
    const plan = nfsConfigStep.plan(ctx, {node1: converged(ctx, {etcExports: file('/data 10.0.0.0/8(rw)\n')}), node2: converged()})
    assert.ok(plan.notes.some((n) => n.startsWith('node1: /etc/exports also exports /data')))
    assert.deepEqual(pathsInExports('# c\n\n"/a b" x(rw)\n/c y\n'), ['/a b', '/c'])
  })

  it('refuses an export outside the DRBD filesystem, and lease/grace under the kernel minimum', () => {
    assert.throws(() => nfsConfigStep.plan(testContext({nfs: {exports: [{path: '/srv', clients: '*'}]}}), {node1: configFacts(), node2: configFacts()}), RefusalError)
    assert.throws(() => nfsConfigStep.plan(testContext({nfs: {exports: [{path: '/database', clients: '*'}]}}), {node1: configFacts(), node2: configFacts()}), /not on the DRBD filesystem/)
    assert.doesNotThrow(() => nfsConfigStep.plan(testContext({nfs: {exports: [{path: '/data/sub', clients: '*'}]}}), {node1: configFacts(), node2: configFacts()}))
    // The cluster file already refuses it; the step refuses too, for configs built in code.
    assert.throws(() => testContext({nfs: {leaseTime: 5}}), /at least 10/)
    const ctx = testContext()
    const short = {...ctx, config: {...ctx.config, nfs: {...ctx.config.nfs!, leaseTime: 5}}}
    assert.throws(() => nfsConfigStep.plan(short, {node1: configFacts(), node2: configFacts()}), /under 10 s/)
  })

  it('refuses an unknown distro; a missing nfs section is a usage error', () => {
    assert.throws(() => nfsConfigStep.plan(ctx, {node1: configFacts({os: UNKNOWN_OS}), node2: configFacts()}), RefusalError)
    assert.throws(() => nfsConfigStep.plan(testContext({nfs: undefined}), {node1: configFacts(), node2: configFacts()}), UsageError)
  })

  it('verify: effective lease/grace and, where NFS serves, the export table', () => {
    const serving = converged(ctx, {
      ...HA_SERVING,
      exportfs: {available: true, entries: [{path: '/data', client: '192.168.77.0/24', options: ['rw']}]},
    })
    assert.deepEqual(nfsConfigStep.verify!(ctx, {node1: serving, node2: converged()}), [])
    const problems = nfsConfigStep.verify!(ctx, {
      node1: {...serving, exportfs: {available: true, entries: []}},
      node2: converged(ctx, {conf: {dropInDir: true, nfsconf: true, leaseTime: 90, graceTime: 10}}),
    })
    assert.equal(problems.length, 2)
    assert.match(problems[0], /^node1: NFS is serving but exportfs -v does not list \/data/)
    assert.match(problems[1], /^node2: nfsconf reports lease-time 90/)
  })
})

function bootFacts(o: Partial<NfsBootFacts> = {}): NfsBootFacts {
  return {os: DEBIAN, services: services({'nfs-server': ['inactive', 'disabled']}), state: {mountedSource: null, stateBound: false}, ...o}
}

describe('nfs.boot plan', () => {
  it('after the package install (enabled, started): disable and stop on both', () => {
    const f = bootFacts({services: services({'nfs-server': ['active', 'enabled']})})
    const plan = nfsBootStep.plan(ctx, {node1: f, node2: f})
    assert.deepEqual(
      plan.changes.map((c) => [c.node, (c as CommandChange).script]),
      [
        ['node1', 'systemctl disable nfs-server'],
        ['node1', 'systemctl stop nfs-server'],
        ['node2', 'systemctl disable nfs-server'],
        ['node2', 'systemctl stop nfs-server'],
      ],
    )
  })

  it('converged: disabled everywhere, running only under HA control', () => {
    const plan = nfsBootStep.plan(ctx, {
      node1: bootFacts({services: services({'nfs-server': ['active', 'disabled']}), state: {mountedSource: '/dev/drbd0', stateBound: true}}),
      node2: bootFacts(),
    })
    assert.deepEqual(plan.changes, [])
    assert.deepEqual(plan.notes, ['node1: nfs-server not enabled at boot, running under HA control', 'node2: nfs-server not enabled at boot, stopped'])
  })

  it('masked: unmasked and left disabled in one change', () => {
    const plan = nfsBootStep.plan(ctx, {node1: bootFacts({services: services({'nfs-server': ['inactive', 'masked']})}), node2: bootFacts()})
    assert.deepEqual(plan.changes.map((c) => (c as CommandChange).script), ['systemctl unmask nfs-server\nsystemctl disable nfs-server'])
  })

  it('no unit yet: a note, no change', () => {
    const plan = nfsBootStep.plan(ctx, {node1: bootFacts({services: services({'nfs-server': ['unknown', 'not-found']})}), node2: bootFacts()})
    assert.deepEqual(plan.changes, [])
    assert.match(plan.notes[0], /no nfs-server unit/)
  })
})
