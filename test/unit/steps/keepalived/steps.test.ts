import {fileWriteScript} from '../../../../src/engine/change-script.js'
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {testContext, TEST_SECRETS} from '../../../helpers/cluster.js'
import {secretFile} from '../../../helpers/secret-file.js'
import type {CommandChange, FileChange} from '../../../../src/engine/step.js'
import {keepalivedSteps} from '../../../../src/steps/keepalived/index.js'
import {keepalivedScriptsStep, type KeepalivedScriptsFacts} from '../../../../src/steps/keepalived/scripts.js'
import {keepalivedConfigStep, type KeepalivedConfigFacts} from '../../../../src/steps/keepalived/config.js'
import {keepalivedServiceStep, startAndTakeOverScript, type KeepalivedServiceFacts} from '../../../../src/steps/keepalived/service.js'
import {nfsServing} from '../../../../src/steps/nfs/serving.js'
import {
  KEEPALIVED_CONF_PATH,
  KEEPALIVED_DROPIN_PATH,
  KEEPALIVED_SECRET_KEYS,
  renderKeepalivedConf,
} from '../../../../src/templates/keepalived.js'
import {nfsKeepalivedParts, renderKeepalivedDropIn} from '../../../../src/templates/keepalived-nfs.js'
import {renderCheckScript} from '../../../../src/templates/scripts/check-nfs.js'
import {renderNotifyScript} from '../../../../src/templates/scripts/notify.js'
import {CHECK_SCRIPT_PATH, NOTIFY_SCRIPT_PATH} from '../../../../src/templates/scripts/paths.js'
import {DEBIAN, ROCKY, file, missing, services, vip} from '../ha-facts.js'

const ctx = testContext()
const [node1, node2] = ctx.nodes

describe('keepalived steps are registered', () => {
  it('packages, scripts, config, service', () => {
    assert.deepEqual(keepalivedSteps.map((s) => s.id), ['keepalived.packages', 'keepalived.scripts', 'keepalived.config', 'keepalived.service'])
  })
})

describe('keepalived.scripts plan', () => {
  const fresh: KeepalivedScriptsFacts = {os: DEBIAN, notify: missing, check: missing}
  it('fresh: notify.sh and check-nfs.sh on each node, 0755, checked with bash -n', () => {
    const plan = keepalivedScriptsStep.plan(ctx, {node1: fresh, node2: fresh})
    assert.deepEqual(plan.changes.map((c) => [c.node, (c as FileChange).path]), [
      ['node1', NOTIFY_SCRIPT_PATH],
      ['node1', CHECK_SCRIPT_PATH],
      ['node2', NOTIFY_SCRIPT_PATH],
      ['node2', CHECK_SCRIPT_PATH],
    ])
    for (const c of plan.changes as FileChange[]) {
      assert.equal(c.mode, 0o755)
      assert.equal(c.validate, 'bash -n {}')
      assert.match(c.content, /^#!\/bin\/bash\n/)
    }
  })

  it('converged: nothing; rendered for each node’s own family', () => {
    const done = (os = DEBIAN): KeepalivedScriptsFacts => ({
      os,
      notify: file(renderNotifyScript(ctx.config, os.family as 'apt'), 0o755),
      check: file(renderCheckScript(ctx.config, os.family as 'apt'), 0o755),
    })
    assert.deepEqual(keepalivedScriptsStep.plan(ctx, {node1: done(), node2: done(ROCKY)}).changes, [])
  })

  it('a changed mount point rewrites both scripts, nothing else', () => {
    const done: KeepalivedScriptsFacts = {os: DEBIAN, notify: file(renderNotifyScript(ctx.config, 'apt'), 0o755), check: file(renderCheckScript(ctx.config, 'apt'), 0o755)}
    const next = testContext({filesystem: {mountPoint: '/srv/data'}, nfs: {exports: [{path: '/srv/data', clients: '*'}]}})
    const plan = keepalivedScriptsStep.plan(next, {node1: done, node2: done})
    assert.equal(plan.changes.length, 4)
    assert.ok((plan.changes[0] as FileChange).content.includes("MP='/srv/data'"))
  })

  it('a mode drift alone is repaired', () => {
    const drift: KeepalivedScriptsFacts = {os: DEBIAN, notify: file(renderNotifyScript(ctx.config, 'apt'), 0o777), check: file(renderCheckScript(ctx.config, 'apt'), 0o755)}
    const plan = keepalivedScriptsStep.plan(ctx, {node1: drift, node2: {...drift, notify: file(renderNotifyScript(ctx.config, 'apt'), 0o755)}})
    assert.deepEqual(plan.changes.map((c) => [c.node, (c as FileChange).path]), [['node1', NOTIFY_SCRIPT_PATH]])
  })
})

describe('keepalived.config plan', () => {
  const facts = (o: Partial<KeepalivedConfigFacts> = {}): KeepalivedConfigFacts => ({
    conf: missing,
    dropIn: missing,
    services: services({keepalived: ['inactive', 'enabled']}),
    ...o,
  })
  const done = (node = node1, c = ctx, running = true) =>
    facts({
      conf: secretFile(renderKeepalivedConf(c.config, c.secrets, node, nfsKeepalivedParts()), 0o600, KEEPALIVED_SECRET_KEYS),
      dropIn: file(renderKeepalivedDropIn()),
      services: services({keepalived: [running ? 'active' : 'inactive', 'enabled']}),
    })

  it('fresh: keepalived.conf (secret, 0600, keepalived -t on the temp file), the drop-in and daemon-reload', () => {
    const plan = keepalivedConfigStep.plan(ctx, {node1: facts(), node2: facts()})
    assert.deepEqual(
      plan.changes.map((c) => [c.node, c.kind === 'file' ? c.path : (c as CommandChange).script, c.kind === 'file' ? c.then?.script : undefined]),
      [
        // The daemon-reload rides with the drop-in: a run killed between them cannot lose it.
        ['node1', KEEPALIVED_CONF_PATH, undefined],
        ['node1', KEEPALIVED_DROPIN_PATH, 'systemctl daemon-reload'],
        ['node2', KEEPALIVED_CONF_PATH, undefined],
        ['node2', KEEPALIVED_DROPIN_PATH, 'systemctl daemon-reload'],
      ],
    )
    assert.match(fileWriteScript(plan.changes[1] as FileChange), /mv -f "\$tmp" '\/etc\/systemd\/system\/keepalived.service.d\/hapair.conf'\ntrap - EXIT\nsystemctl daemon-reload\n$/)
    const conf = plan.changes[0] as FileChange
    assert.equal(conf.secret, true)
    assert.equal(conf.mode, 0o600)
    assert.equal(conf.validate, 'keepalived -t -f {}')
    assert.match(conf.content, /priority 100/)
    assert.match((plan.changes[2] as FileChange).content, /priority 90/)
  })

  it('converged: nothing', () => {
    const plan = keepalivedConfigStep.plan(ctx, {node1: done(node1), node2: done(node2)})
    assert.deepEqual(plan.changes, [])
    assert.match(plan.notes[0], /node1: keepalived.conf up to date \(priority 100, preempt, unicast\)/)
  })

  it('preempt off while running: the config on both nodes and a reload, nothing else', () => {
    const next = testContext({keepalived: {virtualRouterId: 51, preempt: false}})
    const plan = keepalivedConfigStep.plan(next, {node1: done(node1), node2: done(node2, ctx, false)})
    assert.deepEqual(
      plan.changes.map((c) => [c.node, c.kind === 'file' ? c.path : (c as CommandChange).script, c.kind === 'file' ? c.then?.script : undefined]),
      [
        ['node1', KEEPALIVED_CONF_PATH, 'systemctl reload keepalived'],
        ['node2', KEEPALIVED_CONF_PATH, undefined],
      ],
    )
    assert.match((plan.changes[0] as FileChange).content, /^\s+nopreempt$/m)
  })

  it('the password shows only in the (secret) file content, never in titles or notes', () => {
    const plan = keepalivedConfigStep.plan(ctx, {node1: facts(), node2: done(node2)})
    const visible = [...plan.notes, ...plan.changes.map((c) => c.title), ...plan.changes.filter((c) => c.kind === 'command').map((c) => (c as CommandChange).script)].join('\n')
    assert.ok(!visible.includes(TEST_SECRETS.keepalivedAuthPass))
  })

  it('equal priorities: a note about the tie-break', () => {
    const tie = testContext({nodes: [{name: 'node1', address: '192.168.77.11', priority: 100}, {name: 'node2', address: '192.168.77.12', priority: 100}]})
    const plan = keepalivedConfigStep.plan(tie, {node1: facts(), node2: facts()})
    assert.ok(plan.notes.some((n) => n.includes('same priority 100')))
  })
})

describe('keepalived.service', () => {
  const f = (o: Partial<KeepalivedServiceFacts> = {}): KeepalivedServiceFacts => ({
    os: DEBIAN,
    services: services({keepalived: ['inactive', 'enabled'], 'nfs-server': ['inactive', 'disabled']}),
    vip: vip(false),
    serving: {mountedSource: null, stateBound: false},
    ...o,
  })
  const serving = f({
    services: services({keepalived: ['active', 'enabled'], 'nfs-server': ['active', 'disabled']}),
    vip: vip(true),
    serving: {mountedSource: '/dev/drbd0', stateBound: true},
  })
  const standby = f({services: services({keepalived: ['active', 'enabled'], 'nfs-server': ['inactive', 'disabled']})})

  it('fresh: enable both; the preferred node starts first and waits to hold the VIP with NFS up', () => {
    const fresh = f({services: services({keepalived: ['inactive', 'disabled'], 'nfs-server': ['inactive', 'disabled']})})
    const plan = keepalivedServiceStep.plan(ctx, {node1: fresh, node2: fresh})
    assert.deepEqual(plan.changes.map((c) => [c.node, c.title]), [
      ['node1', 'enable keepalived at boot'],
      ['node1', 'start keepalived and take over 192.168.77.100 + NFS'],
      ['node2', 'enable keepalived at boot'],
      ['node2', 'start keepalived'],
    ])
    const takeOver = (plan.changes[1] as CommandChange).script
    assert.match(takeOver, /^systemctl start keepalived$/m)
    assert.match(takeOver, /grep -F ' inet 192\.168\.77\.100\/' >\/dev\/null/)
    assert.match(takeOver, /systemctl is-active --quiet 'nfs-server'/)
    assert.match(takeOver, /tail -n 25 \/var\/log\/hapair-ha\.log/)
    assert.equal(keepalivedServiceStep.sequential, true)
  })

  it('the preferred node is the higher priority, and goes first', () => {
    const c = testContext({nodes: [{name: 'node1', address: '192.168.77.11', priority: 50}, {name: 'node2', address: '192.168.77.12', priority: 150}]})
    assert.deepEqual(keepalivedServiceStep.nodes!(c).map((n) => n.name), ['node2', 'node1'])
    const plan = keepalivedServiceStep.plan(c, {node1: f(), node2: f()})
    assert.deepEqual(plan.changes.map((x) => [x.node, x.title]), [
      ['node2', 'start keepalived and take over 192.168.77.100 + NFS'],
      ['node1', 'start keepalived'],
    ])
  })

  it('only the standby down: a start there that waits for the election to settle', () => {
    const plan = keepalivedServiceStep.plan(ctx, {node1: serving, node2: f()})
    assert.deepEqual(plan.changes.map((c) => [c.node, c.title]), [['node2', 'start keepalived']])
    const script = (plan.changes[0] as CommandChange).script
    assert.match(script, /^systemctl start keepalived\nsleep 5\n/)
    assert.match(script, /svc=no; systemctl is-active --quiet 'nfs-server' && svc=yes\n/)
    assert.match(script, /if \[ "\$vip" = "\$svc" \]; then echo "settled/)
  })

  it('converged: nothing', () => {
    const plan = keepalivedServiceStep.plan(ctx, {node1: serving, node2: standby})
    assert.deepEqual(plan.changes, [])
    assert.deepEqual(plan.notes, ['node1: keepalived enabled and running', 'node2: keepalived enabled and running'])
  })

  it('verify: one holder serving NFS from DRBD, the other idle', () => {
    assert.deepEqual(keepalivedServiceStep.verify!(ctx, {node1: serving, node2: standby}), [])
    assert.deepEqual(keepalivedServiceStep.verify!(ctx, {node1: standby, node2: serving}), [])
  })

  it('verify: no holder, two holders, a holder without its storage, NFS on the standby', () => {
    assert.match(keepalivedServiceStep.verify!(ctx, {node1: standby, node2: standby}).join('\n'), /no node holds the VIP/)
    assert.match(keepalivedServiceStep.verify!(ctx, {node1: serving, node2: serving}).join('\n'), /both nodes hold the VIP.*unicast/)
    const bare = {...serving, serving: {mountedSource: null, stateBound: false}, services: services({keepalived: ['active', 'enabled'], 'nfs-server': ['inactive', 'disabled']})}
    const p = keepalivedServiceStep.verify!(ctx, {node1: bare, node2: standby})
    assert.equal(p.length, 3)
    assert.match(p.join('\n'), /\/dev\/drbd0 is not mounted/)
    assert.match(p.join('\n'), /not the copy on the DRBD filesystem/)
    assert.match(p.join('\n'), /NFS server is not running/)
    const rogue = {...standby, services: services({keepalived: ['active', 'enabled'], 'nfs-server': ['active', 'disabled']})}
    assert.match(keepalivedServiceStep.verify!(ctx, {node1: serving, node2: rogue}).join('\n'), /node2 does not hold the VIP but runs the NFS server/)
  })
})

describe('keepalived.service start-and-take-over wait', () => {
  it('waits for the takeover to finish (NFS state bound), not only for the VIP and a running NFS server that check-nfs may have started', () => {
    const script = startAndTakeOverScript(ctx, nfsServing.servingCondition(ctx, 'apt'), 'NFS')
    assert.match(script, /inet 192\.168\.77\.100\/' >\/dev\/null && systemctl is-active --quiet 'nfs-server' && mountpoint -q \/var\/lib\/nfs; then/)
  })
})
