/** The pacemaker steps: facts -> plan (and verify), from fact values and the recorded pacemaker 2.1 outputs. */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {testContext, TEST_SECRETS} from '../../../helpers/cluster.js'
import {recorded} from '../../../helpers/recorded.js'
import type {CommandChange, FileChange, StepContext} from '../../../../src/engine/step.js'
import {executeStep} from '../../../../src/engine/execute-step.js'
import {testStepHooks} from '../../../helpers/step-hooks.js'
import {loadRunbook} from '../../../../src/engine/runbook.js'
import {RefusalError} from '../../../../src/errors.js'
import {crmMonFact, parseCibBuild, parseCrmMon} from '../../../../src/facts/pacemaker.js'
import {SECRET_MARKER, type FileInfo} from '../../../../src/facts/file.js'
import {sha256} from '../../../../src/engine/redact.js'
import {FakeHost} from '../../../../src/transport/fake-host.js'
import {STACK_DESCRIPTORS} from '../../../../src/stacks/registry.js'
import {pacemakerSteps} from '../../../../src/steps/pacemaker/index.js'
import {pacemakerPackagesStep} from '../../../../src/steps/pacemaker/packages.js'
import {pacemakerKeysStep} from '../../../../src/steps/pacemaker/keys.js'
import {corosyncConfigStep, restartOnlyChanges} from '../../../../src/steps/pacemaker/corosync.js'
import {membershipProblems, pacemakerServiceStep} from '../../../../src/steps/pacemaker/service.js'
import {pacemakerCibStep, servingProblems, wantedCib} from '../../../../src/steps/pacemaker/cib.js'
import {COROSYNC_AUTHKEY_PATH, COROSYNC_CONF_PATH, renderCorosyncConf} from '../../../../src/templates/corosync.js'
import {fencePasswordPath} from '../../../../src/templates/cib.js'
import {APT_REPOS, DEBIAN, ROCKY, dnfRepos, file, missing, services} from '../ha-facts.js'

const FENCED = {
  fencing: {
    devices: [
      {node: 'node1', ip: '192.168.77.201', username: 'admin'},
      {node: 'node2', ip: '192.168.77.202', username: 'admin'},
    ],
  },
}
const ctxWith = (pacemaker: Record<string, unknown>, more: Record<string, unknown> = {}, options = {}): StepContext => {
  const ctx = testContext({stack: 'pacemaker', keepalived: undefined, pacemaker, ...more}, {options})
  return {...ctx, secrets: {...TEST_SECRETS, fencePasswords: {node1: 'pw-one', node2: 'pw-two'}}}
}
const nfsCtx = ctxWith(FENCED)
const titles = (changes: unknown[]) => (changes as (FileChange | CommandChange)[]).map((c) => [c.node, c.kind === 'file' ? c.path : c.title])
const rec = (name: string) => recorded('pacemaker', name)

describe('pacemaker steps are registered, and their runbooks', () => {
  it('packages, keys, corosync, service, cib', () => {
    assert.deepEqual(pacemakerSteps.map((s) => s.id), ['pacemaker.packages', 'pacemaker.keys', 'pacemaker.corosync', 'pacemaker.service', 'pacemaker.cib'])
  })
  it('ha-pacemaker: NFS packages and boot, then the cluster; the filesystem variant without NFS; the blank-node runbooks include them', () => {
    assert.deepEqual(loadRunbook('ha-pacemaker').entries.map((e) => e.step.id), ['nfs.packages', 'nfs.boot', 'pacemaker.packages', 'pacemaker.keys', 'pacemaker.corosync', 'pacemaker.service', 'pacemaker.cib'])
    assert.deepEqual(loadRunbook('ha-pacemaker-filesystem').entries.map((e) => e.step.id), ['pacemaker.packages', 'pacemaker.keys', 'pacemaker.corosync', 'pacemaker.service', 'pacemaker.cib'])
    for (const s of STACK_DESCRIPTORS.filter((d) => d.manager.id === 'pacemaker')) {
      const ids = loadRunbook(s.runbook).entries.map((e) => e.step.id)
      assert.equal(ids[0], 'storage.packages')
      assert.equal(ids.at(-1), 'pacemaker.cib')
      assert.equal(s.ready, false, 'not ready until the lab suite proves it')
    }
  })
})

describe('pacemaker.packages', () => {
  const f = (os = DEBIAN, installed: string[] = [], repos = APT_REPOS) => ({os, installed: new Set(installed), repos})
  it('Debian: crmsh by default, fence-agents and ipmitool with fencing', () => {
    const plan = pacemakerPackagesStep.plan(nfsCtx, {node1: f(), node2: f(DEBIAN, ['pacemaker', 'corosync', 'resource-agents', 'crmsh', 'fence-agents', 'ipmitool'])})
    assert.deepEqual(titles(plan.changes), [['node1', 'install pacemaker corosync resource-agents crmsh fence-agents ipmitool']])
    assert.ok(plan.notes.some((n) => n.startsWith('node2: ') && n.includes('already installed')))
  })
  it('Rocky: pcs (no crmsh there), fence-agents-ipmilan, from HighAvailability; tools: crmsh is refused there', () => {
    const plan = pacemakerPackagesStep.plan(ctxWith({fencing: 'none', quorumDevice: {host: '192.168.77.50'}}), {node1: f(ROCKY, [], dnfRepos('highavailability')), node2: f(ROCKY, [], dnfRepos('highavailability'))})
    assert.deepEqual(titles(plan.changes)[0], ['node1', 'install pacemaker corosync resource-agents pcs corosync-qdevice'])
    assert.throws(() => pacemakerPackagesStep.plan(ctxWith({fencing: 'none', tools: 'crmsh'}), {node1: f(ROCKY, [], dnfRepos('highavailability')), node2: f(ROCKY, [], dnfRepos('highavailability'))}), (e: unknown) => e instanceof RefusalError && /ship pcs, not crmsh/.test(e.message))
    assert.throws(() => pacemakerPackagesStep.plan(nfsCtx, {node1: f(ROCKY, [], dnfRepos()), node2: f(ROCKY, [], dnfRepos())}), (e: unknown) => e instanceof RefusalError && /HighAvailability/.test(e.message))
  })
  it('tools: pcs on Debian', () => {
    const plan = pacemakerPackagesStep.plan(ctxWith({fencing: 'none', tools: 'pcs'}), {node1: f(), node2: f()})
    assert.deepEqual(titles(plan.changes)[0], ['node1', 'install pacemaker corosync resource-agents pcs'])
  })
})

describe('pacemaker.keys', () => {
  const secretFile = (content: string, mode = 0o400): FileInfo => ({exists: true, content: SECRET_MARKER, mode, sha256: sha256(content)})
  const none: FileInfo = {...missing, sha256: null}
  const facts = (authkey: FileInfo, one: FileInfo, two: FileInfo) => ({authkey, 'fence:node1': one, 'fence:node2': two})
  it('writes the authkey and both passwords 0400 on both nodes, showing only the marker', () => {
    const plan = pacemakerKeysStep.plan(nfsCtx, {node1: facts(none, none, none), node2: facts(none, none, none)})
    assert.deepEqual(titles(plan.changes).filter(([n]) => n === 'node1'), [['node1', COROSYNC_AUTHKEY_PATH], ['node1', fencePasswordPath('node1')], ['node1', fencePasswordPath('node2')]])
    for (const c of plan.changes as FileChange[]) {
      assert.equal(c.mode, 0o400)
      assert.equal(c.secret, true)
      assert.equal(c.shown, SECRET_MARKER)
      assert.ok(!c.title.includes('pw-') && !c.title.includes(TEST_SECRETS.corosyncAuthkey))
    }
    assert.equal((plan.changes[1] as FileChange).content, 'pw-one\n')
  })
  it('compared by hash: equal files are left alone, a changed password or a wrong mode is rewritten', () => {
    const ok = facts(secretFile(TEST_SECRETS.corosyncAuthkey), secretFile('pw-one\n'), secretFile('pw-two\n'))
    assert.equal(pacemakerKeysStep.plan(nfsCtx, {node1: ok, node2: ok}).changes.length, 0)
    const drift = facts(secretFile(TEST_SECRETS.corosyncAuthkey, 0o644), secretFile('old\n'), secretFile('pw-two\n'))
    assert.deepEqual(titles(pacemakerKeysStep.plan(nfsCtx, {node1: ok, node2: drift}).changes), [['node2', COROSYNC_AUTHKEY_PATH], ['node2', fencePasswordPath('node1')]])
  })
  it('fencing none: the authkey only; a fenced node without a password is refused before anything is written', () => {
    const plan = pacemakerKeysStep.plan(ctxWith({fencing: 'none'}), {node1: {authkey: none}, node2: {authkey: none}})
    assert.equal(plan.changes.length, 2)
    const bare = {...nfsCtx, secrets: TEST_SECRETS}
    assert.throws(() => pacemakerKeysStep.plan(bare, {node1: facts(none, none, none), node2: facts(none, none, none)}), (e: unknown) => e instanceof RefusalError && /node1, node2/.test(e.message))
  })
  it('the facts read hashes, never contents', () => {
    const script = pacemakerKeysStep.facts(nfsCtx, nfsCtx.nodes[0]).script
    assert.ok(script.includes(`sha256sum < '${COROSYNC_AUTHKEY_PATH}'`) && !script.includes('base64'))
  })
})

describe('pacemaker.corosync', () => {
  const conf = renderCorosyncConf(nfsCtx.config, nfsCtx.config.pacemaker!)
  const stopped = services({corosync: ['inactive', 'disabled']})
  const running = services({corosync: ['active', 'enabled']})
  it('writes corosync.conf checked by corosync -t; identical on both nodes', () => {
    const plan = corosyncConfigStep.plan(nfsCtx, {node1: {conf: missing, services: stopped}, node2: {conf: missing, services: stopped}})
    assert.deepEqual(titles(plan.changes), [['node1', COROSYNC_CONF_PATH], ['node2', COROSYNC_CONF_PATH]])
    assert.equal((plan.changes[0] as FileChange).content, (plan.changes[1] as FileChange).content)
    assert.match((plan.changes[0] as FileChange).validate!, /^corosync -t -c \{\}/)
  })
  it('no change when equal; a running corosync reloads, and a start-only key is named', () => {
    assert.equal(corosyncConfigStep.plan(nfsCtx, {node1: {conf: file(conf), services: running}, node2: {conf: file(conf), services: running}}).changes.length, 0)
    const old = conf.replace('token: 3000', 'token: 1000').replace('crypto_cipher: aes256', 'crypto_cipher: aes128')
    const plan = corosyncConfigStep.plan(nfsCtx, {node1: {conf: file(old), services: running}, node2: {conf: file(conf), services: running}})
    assert.deepEqual(titles(plan.changes), [['node1', COROSYNC_CONF_PATH], ['node1', 'corosync re-reads corosync.conf (corosync-cfgtool -R)']])
    assert.ok(plan.notes.some((n) => /node1: crypto_cipher changed: corosync reads it only at start/.test(n)))
    assert.deepEqual(restartOnlyChanges(old, conf), ['crypto_cipher'])
    assert.deepEqual(restartOnlyChanges(conf.replace('token: 3000', 'token: 1000'), conf), [])
    assert.deepEqual(restartOnlyChanges(null, conf), [])
  })
})

describe('pacemaker.service', () => {
  const up = parseCrmMon(rec('crm-mon-both-up').output)
  const down = parseCrmMon(rec('crm-mon-not-running').output)
  it('enables and starts both units on both nodes, then waits for both online', () => {
    const s = services({corosync: ['inactive', 'disabled'], pacemaker: ['inactive', 'disabled']})
    const plan = pacemakerServiceStep.plan(nfsCtx, {node1: {services: s, mon: down}, node2: {services: s, mon: down}})
    assert.deepEqual(titles(plan.changes), [
      ['node1', 'enable corosync and pacemaker at boot'],
      ['node1', 'start corosync and pacemaker'],
      ['node2', 'enable corosync and pacemaker at boot'],
      ['node2', 'start corosync and pacemaker'],
      ['node2', 'wait for both nodes online in the cluster'],
    ])
    assert.match((plan.changes[4] as CommandChange).script, /grep -q '<node name="node1" \[\^>\]\*online="true"' "\$t" && grep -q '<node name="node2"/)
  })
  it('running: nothing; verify judges the membership from crm_mon', () => {
    const s = services({corosync: ['active', 'enabled'], pacemaker: ['active', 'enabled']})
    assert.equal(pacemakerServiceStep.plan(nfsCtx, {node1: {services: s, mon: up}, node2: {services: s, mon: up}}).changes.length, 0)
    assert.deepEqual(membershipProblems(['node1', 'node2'], down), [`pacemaker does not answer: ${down.error}`])
    // crm_simulate's CIB has no DC and no quorum of its own: both are reported.
    assert.deepEqual(membershipProblems(['node1', 'node2'], up), ['the cluster has no DC (designated controller)', 'the cluster has no quorum'])
    const failed = parseCrmMon(rec('crm-mon-node1-failed').output)
    assert.ok(membershipProblems(['node1', 'node2'], failed).includes('node1 is not online in the cluster'))
  })
  it('a quorum device is refused until hapair makes its certificates', () => {
    const s = services({corosync: ['active', 'enabled'], pacemaker: ['active', 'enabled']})
    assert.throws(() => pacemakerServiceStep.plan(ctxWith({fencing: 'none', quorumDevice: {host: '192.168.77.50'}}), {node1: {services: s, mon: up}, node2: {services: s, mon: up}}), /certificates/)
  })
})

describe('pacemaker.cib', () => {
  const mon = parseCrmMon(rec('crm-mon-both-up').output)
  const plan = (name: string, ctx = nfsCtx) => pacemakerCibStep.plan(ctx, {node1: {build: parseCibBuild(rec(name).output), mon}})
  it('runs on the preferred node only', () => {
    assert.deepEqual(pacemakerCibStep.nodes!(nfsCtx).map((n) => n.name), ['node1'])
  })
  it('blank: push the patch and wait; --dry-run shows the crm_diff patch', () => {
    const p = plan('build-nfs-blank')
    assert.deepEqual(titles(p.changes), [['node1', 'push the CIB patch (cibadmin --patch)'], ['node1', 'wait for DRBD promoted and g_nfs started on one node']])
    assert.match(p.notes[0], /crm_diff against the live CIB:\n {2}create crm_config\/cib-bootstrap-options\n {2}create resources\/ms_drbd/)
    assert.match(p.notes[0], /patch:\n<diff format="2">/)
    const push = (p.changes[0] as CommandChange).script
    assert.match(push, /crm_verify --xml-file "\$d\/new.xml" \|\| \{ echo 'crm_verify refused/)
    assert.match(push, /cibadmin --patch --xml-file "\$d\/patch.xml"/)
  })
  it('applied: no change, said so', () => {
    const p = plan('build-nfs-applied')
    assert.deepEqual(p.changes, [])
    assert.match(p.notes[0], /no difference/)
  })
  it("someone else's resources: refused without --yes, naming them and the patch; pushed with --yes", () => {
    assert.throws(() => plan('build-nfs-drifted'), (e: unknown) => e instanceof RefusalError && /resources hapair did not create \(other\)/.test(e.message) && /resource-stickiness/.test(e.message))
    assert.equal(plan('build-nfs-drifted', ctxWith(FENCED, {}, {yes: true})).changes.length, 2)
  })
  it('an invalid build is refused with crm_verify\'s words', () => {
    const ctx = ctxWith({fencing: 'none'}, {service: 'filesystem', nfs: undefined})
    assert.throws(() => plan('build-fs-broken', ctx), (e: unknown) => e instanceof RefusalError && /not valid; nothing was pushed/.test(e.message) && /conform to the configured schema/.test(e.message))
  })
  it('pacemaker not running yet (a dry run on fresh nodes): the whole configuration is shown', () => {
    const p = pacemakerCibStep.plan(nfsCtx, {node1: {build: parseCibBuild('@@hapair-cib unavailable\nConnection refused\n'), mon}})
    assert.equal(p.changes.length, 2)
    assert.match(p.notes[0], /cannot be read yet \(Connection refused\)[^]*<configuration>/)
  })
  it('verify: one node holds the promoted DRBD and the whole group (crm_simulate), node1 failed moves it all to node2', () => {
    const want = wantedCib(nfsCtx)
    assert.deepEqual(servingProblems(want, mon), [])
    assert.deepEqual(servingProblems(want, parseCrmMon(rec('crm-mon-node1-failed').output)), [])
    const split = {...mon, resources: mon.resources.map((r) => (r.id === 'p_vip' ? {...r, nodes: ['node2']} : r))}
    assert.deepEqual(servingProblems(want, split), ['p_vip is on node2, not with the promoted DRBD'])
    assert.deepEqual(servingProblems(want, parseCrmMon(rec('crm-mon-not-running').output)).length, 1)
  })
  it('through the engine with a fake host: facts, the push, the wait, facts again; verified', async () => {
    const section = (name: string, out: string) => `@@hapair-fact ${name}\n${out}\n@@hapair-fact-rc 0\n`
    const monOut = rec('crm-mon-both-up').output
    const host = new FakeHost('node1')
      .expect('@@hapair-fact build', {stdout: section('build', rec('build-nfs-blank').output) + section('mon', monOut)})
      .expect('cibadmin --patch --xml-file', {stdout: 'patch pushed\n'})
      .expect('did not settle within', {stdout: 'DRBD promoted and g_nfs started on node1 after 9 s\n'})
      .expect('@@hapair-fact build', {stdout: section('build', rec('build-nfs-applied').output) + section('mon', monOut)})
    const {record} = await executeStep(pacemakerCibStep, nfsCtx, new Map([['node1', host]]), testStepHooks())
    assert.equal(record.status, 'changed')
    host.done()
    assert.ok(crmMonFact.command.includes('--output-as'))
  })
})
