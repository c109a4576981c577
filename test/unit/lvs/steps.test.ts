import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {lvsContext} from '../../helpers/lvs-cluster.js'
import type {CommandChange, FileChange} from '../../../src/engine/step.js'
import {RefusalError} from '../../../src/errors.js'
import type {InterfaceInfo} from '../../../src/facts/ip.js'
import type {IpvsTable} from '../../../src/facts/ipvs.js'
import {lvsSteps} from '../../../src/steps/lvs/index.js'
import {lvsArpStep, type LvsArpFacts} from '../../../src/steps/lvs/arp.js'
import {lvsBackendStep, type LvsBackendFacts} from '../../../src/steps/lvs/backend.js'
import {lvsLoopbackStep, type LvsLoopbackFacts} from '../../../src/steps/lvs/loopback.js'
import {lvsModuleStep, type LvsModuleFacts} from '../../../src/steps/lvs/module.js'
import {lvsNotifyStep} from '../../../src/steps/lvs/notify.js'
import {lvsPackagesStep} from '../../../src/steps/lvs/packages.js'
import {ipvsProblems, lvsServing} from '../../../src/steps/lvs/serving.js'
import {stepNodes} from '../../../src/engine/execute-step.js'
import {ARP_SYSCTL_PATH, LOOPBACK_UNIT, LOOPBACK_UNIT_PATH, MODULES_LOAD_PATH, renderArpSysctl, renderLoopbackUnit, renderModulesLoad} from '../../../src/templates/lvs-hosts.js'
import {renderLvsNotifyScript} from '../../../src/templates/scripts/notify-lvs.js'
import {LVS_NOTIFY_SCRIPT_PATH} from '../../../src/templates/scripts/paths.js'
import {APT_REPOS, DEBIAN, file, missing, services} from '../steps/ha-facts.js'

const ctx = lvsContext()
const what = (changes: {node: string; title: string}[]) => changes.map((c) => `${c.node}: ${c.title}`)

describe('LVS steps: ids and roles', () => {
  it('real-server steps act on web1 and web2, director steps on node1 and node2', () => {
    const byId = Object.fromEntries(lvsSteps.map((s) => [s.id, stepNodes(s, ctx).map((n) => n.name)]))
    assert.deepEqual(byId, {
      'lvs.packages': ['node1', 'node2'],
      'lvs.module': ['node1', 'node2'],
      'lvs.arp': ['web1', 'web2'],
      'lvs.loopback': ['web1', 'web2'],
      'lvs.backend': ['web1', 'web2'],
      'lvs.notify': ['node1', 'node2'],
    })
  })
})

describe('lvs.packages', () => {
  it('installs ipvsadm on a director that lacks it, nothing where it is', () => {
    const facts = {node1: {os: DEBIAN, installed: new Set<string>(), repos: APT_REPOS}, node2: {os: DEBIAN, installed: new Set(['ipvsadm']), repos: APT_REPOS}}
    const plan = lvsPackagesStep.plan(ctx, facts)
    assert.deepEqual(what(plan.changes), ['node1: install ipvsadm'])
  })
})

describe('lvs.module', () => {
  const done: LvsModuleFacts = {loaded: true, modulesLoad: file(renderModulesLoad())}
  it('fresh: the modules-load.d file and modprobe on each director', () => {
    const plan = lvsModuleStep.plan(ctx, {node1: {loaded: false, modulesLoad: missing}, node2: {loaded: false, modulesLoad: missing}})
    assert.deepEqual(what(plan.changes), [`node1: write ${MODULES_LOAD_PATH}`, 'node1: load ip_vs', `node2: write ${MODULES_LOAD_PATH}`, 'node2: load ip_vs'])
    assert.equal((plan.changes[1] as CommandChange).script, 'modprobe ip_vs')
  })
  it('converged: nothing; loaded but not persisted: only the file', () => {
    assert.deepEqual(lvsModuleStep.plan(ctx, {node1: done, node2: done}).changes, [])
    assert.deepEqual(what(lvsModuleStep.plan(ctx, {node1: done, node2: {loaded: true, modulesLoad: missing}}).changes), [`node2: write ${MODULES_LOAD_PATH}`])
  })
})

const LIVE_OK = {'net.ipv4.conf.all.arp_ignore': '1', 'net.ipv4.conf.all.arp_announce': '2', 'net.ipv4.conf.lo.arp_ignore': '1', 'net.ipv4.conf.lo.arp_announce': '2'}
const LIVE_DEFAULT = {'net.ipv4.conf.all.arp_ignore': '0', 'net.ipv4.conf.all.arp_announce': '0', 'net.ipv4.conf.lo.arp_ignore': '0', 'net.ipv4.conf.lo.arp_announce': '0'}

describe('lvs.arp', () => {
  it('fresh: the sysctl.d file, then applied live, on each real server', () => {
    const fresh: LvsArpFacts = {file: missing, live: LIVE_DEFAULT}
    const plan = lvsArpStep.plan(ctx, {web1: fresh, web2: fresh})
    assert.deepEqual(plan.changes.map((c) => [c.node, c.kind]), [['web1', 'file'], ['web1', 'command'], ['web2', 'file'], ['web2', 'command']])
    assert.equal((plan.changes[0] as FileChange).path, ARP_SYSCTL_PATH)
    assert.equal((plan.changes[1] as CommandChange).script, `sysctl -q -p '${ARP_SYSCTL_PATH}'`)
  })
  it('file right but a live value drifted (someone ran sysctl): only re-applied, naming the drift', () => {
    const plan = lvsArpStep.plan(ctx, {web1: {file: file(renderArpSysctl()), live: LIVE_OK}, web2: {file: file(renderArpSysctl()), live: {...LIVE_OK, 'net.ipv4.conf.all.arp_announce': '0'}}})
    assert.deepEqual(what(plan.changes), [`web2: apply ${ARP_SYSCTL_PATH} now (live: net.ipv4.conf.all.arp_announce=0 (wanted 2))`])
  })
  it('converged: nothing, a note per real server', () => {
    const done: LvsArpFacts = {file: file(renderArpSysctl()), live: LIVE_OK}
    const plan = lvsArpStep.plan(ctx, {web1: done, web2: done})
    assert.deepEqual(plan.changes, [])
    assert.equal(plan.notes.length, 2)
  })
})

const lo = (...addresses: [string, number][]): InterfaceInfo => ({exists: true, up: true, addresses: [['127.0.0.1', 8] as [string, number], ...addresses].map(([address, prefix]) => ({address, prefix, secondary: false}))})

describe('lvs.loopback', () => {
  const fresh: LvsLoopbackFacts = {unit: missing, services: services({[LOOPBACK_UNIT]: ['inactive', 'not-found']}), lo: lo(), arp: LIVE_OK}
  const done: LvsLoopbackFacts = {unit: file(renderLoopbackUnit(ctx.config)), services: services({[LOOPBACK_UNIT]: ['active', 'enabled']}), lo: lo(['192.168.77.100', 32]), arp: LIVE_OK}

  it('fresh: unit, daemon-reload, enable, restart on each real server', () => {
    const plan = lvsLoopbackStep.plan(ctx, {web1: fresh, web2: fresh})
    assert.deepEqual(what(plan.changes).slice(0, 4), [`web1: write ${LOOPBACK_UNIT_PATH}`, `web1: systemctl daemon-reload (${LOOPBACK_UNIT})`, `web1: enable ${LOOPBACK_UNIT} at boot`, `web1: put 192.168.77.100/32 on lo (${LOOPBACK_UNIT})`])
    assert.equal(plan.changes.length, 8)
  })
  it('converged: nothing', () => {
    assert.deepEqual(lvsLoopbackStep.plan(ctx, {web1: done, web2: done}).changes, [])
  })
  it('the VIP gone from lo (ip addr del by hand): restarted, nothing else', () => {
    assert.deepEqual(what(lvsLoopbackStep.plan(ctx, {web1: done, web2: {...done, lo: lo()}}).changes), [`web2: put 192.168.77.100/32 on lo (${LOOPBACK_UNIT})`])
  })
  it('the VIP on lo with a wider prefix is not right: restarted to the /32', () => {
    assert.equal(lvsLoopbackStep.plan(ctx, {web1: done, web2: {...done, lo: lo(['192.168.77.100', 24])}}).changes.length, 1)
  })
  it('a new VIP takes the old one off lo, rewrites the unit and restarts it, even though it is active', () => {
    const moved = lvsContext()
    moved.config = {...moved.config, vip: {...moved.config.vip, address: '192.168.77.101'}}
    const plan = lvsLoopbackStep.plan(moved, {web1: done, web2: {...done, lo: lo()}})
    const web1 = plan.changes.filter((c) => c.node === 'web1') as CommandChange[]
    assert.deepEqual(web1.map((c) => c.title), ['remove the old VIP 192.168.77.100/32 from lo', `update ${LOOPBACK_UNIT_PATH}`, `systemctl daemon-reload (${LOOPBACK_UNIT})`, `put 192.168.77.101/32 on lo (${LOOPBACK_UNIT})`])
    assert.equal(web1[0].script, 'ip addr del 192.168.77.100/32 dev lo')
    assert.match(web1[3].script, /^systemctl restart /)
    // web2 no longer holds the old address: nothing to remove there.
    assert.ok(!plan.changes.some((c) => c.node === 'web2' && /old VIP/.test(c.title)))
  })
  it('refuses to put the VIP on lo while ARP is still at its defaults, naming the host and the step', () => {
    assert.throws(
      () => lvsLoopbackStep.plan(ctx, {web1: fresh, web2: {...fresh, arp: LIVE_DEFAULT}}),
      (e: Error) => e instanceof RefusalError && /^web2: ARP is not left to the director yet/.test(e.message) && !/web1/.test(e.message) && /lvs\.arp/.test(e.hint ?? ''),
    )
  })
})

describe('lvs.backend (check only)', () => {
  const ok: LvsBackendFacts = {local: {answered: true, status: 200}, vip: {answered: true, status: 200}}
  it('answering on 127.0.0.1 and the VIP: no change, a note each', () => {
    const plan = lvsBackendStep.plan(ctx, {web1: ok, web2: {...ok, vip: null}})
    assert.deepEqual(plan.changes, [])
    assert.deepEqual(plan.notes, ['web1: answers 200 on /health on 127.0.0.1 and the VIP', 'web2: answers 200 on /health on 127.0.0.1'])
  })
  it('refuses naming every real server that fails and how: down, wrong status, bound to its own address only', () => {
    assert.throws(
      () => lvsBackendStep.plan(ctx, {web1: {local: {answered: false, why: 'connect: Connection refused'}, vip: null}, web2: {local: {answered: true, status: 200}, vip: {answered: false, why: 'connect: Connection refused'}}}),
      (e: Error) => {
        assert.ok(e instanceof RefusalError)
        assert.match(e.message, /\nweb1: http:\/\/127\.0\.0\.1:80\/health does not answer \(connect: Connection refused\)/)
        assert.match(e.message, /\nweb2: http:\/\/192\.168\.77\.100:80\/health does not answer/)
        assert.match(e.hint ?? '', /0\.0\.0\.0:80/)
        return true
      },
    )
    assert.throws(() => lvsBackendStep.plan(ctx, {web1: ok, web2: {local: {answered: true, status: 503}, vip: null}}), /web2: http:\/\/127\.0\.0\.1:80\/health answers 503, not 200/)
  })
  it('TCP_CHECK: a connection is enough', () => {
    const tcp = lvsContext({healthCheck: {type: 'TCP_CHECK'}})
    const plan = lvsBackendStep.plan(tcp, {web1: {local: {answered: true}, vip: null}, web2: {local: {answered: true}, vip: {answered: true}}})
    assert.deepEqual(plan.changes, [])
  })
})

describe('lvs.notify', () => {
  it('writes the script on each director (0755, bash -n), nothing once there', () => {
    const plan = lvsNotifyStep.plan(ctx, {node1: {notify: missing}, node2: {notify: file(renderLvsNotifyScript(ctx.config), 0o755)}})
    assert.deepEqual(plan.changes.map((c) => [c.node, (c as FileChange).path, (c as FileChange).mode, (c as FileChange).validate]), [['node1', LVS_NOTIFY_SCRIPT_PATH, 0o755, 'bash -n {}']])
  })
})

describe('LVS serving (keepalived.service verification)', () => {
  const table = (reals: {address: string; weight: number; forward?: string}[], scheduler = 'rr', persistent?: number): IpvsTable => ({
    state: 'read',
    services: [{protocol: 'TCP', address: '192.168.77.100', port: 80, scheduler, ...(persistent && {persistent}), reals: reals.map((r) => ({port: 80, forward: 'Route', activeConn: 0, inactiveConn: 0, ...r}))}],
  })
  const good = table([{address: '192.168.77.21', weight: 2}, {address: '192.168.77.22', weight: 1}])

  it('the table as the cluster file says: no problem', () => {
    assert.deepEqual(ipvsProblems(ctx, 'node1', good), [])
  })
  it('names a missing real server, a wrong weight, forwarding and scheduler, and a stranger', () => {
    const bad = table([{address: '192.168.77.21', weight: 1, forward: 'Masq'}, {address: '192.168.77.99', weight: 1}], 'wlc', 60)
    assert.deepEqual(ipvsProblems(ctx, 'node1', bad), [
      'node1: TCP 192.168.77.100:80 schedules wlc, not rr',
      'node1: TCP 192.168.77.100:80 persistence is 60, not off',
      'node1: web1 is forwarded by Masq, not Route (direct routing)',
      'node1: web1 has weight 1, not 2',
      "node1: web2 (192.168.77.22:80) is not in TCP 192.168.77.100:80: keepalived's HTTP_GET check fails from the director (journalctl -u keepalived)",
      'node1: TCP 192.168.77.100:80 forwards to 192.168.77.99:80, which is not a real server of the cluster file',
    ])
  })
  it('no virtual service, no module, no ipvsadm: one problem each', () => {
    assert.match(ipvsProblems(ctx, 'node1', {state: 'read', services: []})[0], /has no virtual service TCP 192\.168\.77\.100:80/)
    assert.match(ipvsProblems(ctx, 'node1', {state: 'no-module'})[0], /ip_vs module is not loaded/)
    assert.match(ipvsProblems(ctx, 'node1', {state: 'no-ipvsadm'})[0], /ipvsadm is not installed/)
  })
  it('only the sole VIP holder is judged (keepalived builds the table on the backup as well)', () => {
    const f = {family: 'apt' as const, active: () => true, own: {state: 'no-module'} as IpvsTable}
    assert.deepEqual(lvsServing.verify(ctx, ctx.nodes[1], f, false, false), [])
    assert.equal(lvsServing.verify(ctx, ctx.nodes[0], f, true, true).length, 1)
  })
  it('serving means the VIP and the virtual service; running, the VIP alone', () => {
    assert.match(lvsServing.servingCondition(ctx, 'apt'), / inet 192\.168\.77\.100\/.*&& ipvsadm -Ln -t '192\.168\.77\.100:80'/)
    assert.doesNotMatch(lvsServing.runningCondition(ctx, 'apt'), /ipvsadm/)
  })
})
