import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {allHosts, hostsOf, roleOf} from '../../../src/config/hosts.js'
import {executeStep, stepNodes} from '../../../src/engine/execute-step.js'
import {withSession} from '../../../src/engine/session.js'
import type {Step} from '../../../src/engine/step.js'
import {ConnectError} from '../../../src/errors.js'
import {factSet} from '../../../src/facts/fact.js'
import {fileFact} from '../../../src/facts/file.js'
import {planFile} from '../../../src/steps/common/plan-file.js'
import type {Connector} from '../../../src/transport/connect-all.js'
import {FakeHost} from '../../../src/transport/fake-host.js'
import {testStepHooks} from '../../helpers/step-hooks.js'
import {LVS_CLUSTER_YAML, lvsContext} from '../../helpers/lvs-cluster.js'
import {fileFactOutput} from './toy-step.js'

const ctx = lvsContext()

describe('hosts by role', () => {
  it('nodes are the directors, realServers the pool, allHosts both in file order', () => {
    assert.deepEqual(hostsOf(ctx.config, 'nodes').map((h) => h.name), ['node1', 'node2'])
    assert.deepEqual(hostsOf(ctx.config, 'realServers').map((h) => [h.name, h.address, h.ip]), [['web1', '192.168.77.21', '192.168.77.21'], ['web2', '192.168.77.22', '192.168.77.22']])
    assert.deepEqual(allHosts(ctx.config).map((h) => h.name), ['node1', 'node2', 'web1', 'web2'])
    assert.equal(roleOf(ctx.config, 'web2'), 'realServers')
    assert.equal(roleOf(ctx.config, 'node1'), 'nodes')
    assert.equal(roleOf(ctx.config, 'web9'), undefined)
  })

  it('a cluster without a pool has only its nodes', () => {
    const nfs = lvsContext()
    const plain = {...nfs.config, lvs: undefined}
    assert.deepEqual(allHosts(plain).map((h) => h.name), ['node1', 'node2'])
    assert.deepEqual(hostsOf(plain, 'realServers'), [])
  })
})

/** A toy step on the real servers: keeps /etc/rs.conf holding the real server's weight. */
const rsStep: Step = {
  id: 'toy.rs',
  title: 'toy on real servers',
  role: 'realServers',
  facts: () => factSet({file: fileFact('/etc/rs.conf')}),
  plan(c, facts) {
    const changes = hostsOf(c.config, 'realServers').flatMap((h) => planFile(h.name, facts[h.name].file, {path: '/etc/rs.conf', content: `host=${h.name}\n`, mode: 0o644}) ?? [])
    return {changes, notes: []}
  },
}

describe('a step with a role acts on that role’s hosts only', () => {
  it('stepNodes: role realServers gives the pool; no role gives ctx.nodes', () => {
    assert.deepEqual(stepNodes(rsStep, ctx).map((n) => n.name), ['web1', 'web2'])
    assert.deepEqual(stepNodes({...rsStep, role: undefined}, ctx).map((n) => n.name), ['node1', 'node2'])
    assert.deepEqual(stepNodes({...rsStep, role: 'nodes'}, ctx).map((n) => n.name), ['node1', 'node2'])
  })

  it('reads, changes and verifies on web1 and web2; the directors are not called at all', async () => {
    // Strict fakes: a director that was called, or a real server missing a call, fails the test.
    const directors = [new FakeHost('node1'), new FakeHost('node2')]
    const rs = ['web1', 'web2'].map((name) =>
      new FakeHost(name)
        .expect('@@hapair-fact file', {stdout: fileFactOutput(name === 'web1' ? `host=web1\n` : null)})
        .expect(/mv -f "\$tmp" '\/etc\/rs\.conf'/, {code: 0})
        .expect('@@hapair-fact file', {stdout: fileFactOutput(`host=${name}\n`)}),
    )
    // web1 is already right: it gets only its two reads.
    rs[0] = new FakeHost('web1').expect('@@hapair-fact file', {stdout: fileFactOutput('host=web1\n')}).expect('@@hapair-fact file', {stdout: fileFactOutput('host=web1\n')})
    const hosts = new Map([...directors, ...rs].map((h) => [h.node, h]))
    const {record, plan} = await executeStep(rsStep, ctx, hosts, testStepHooks())
    assert.equal(record.status, 'changed')
    assert.deepEqual(plan.changes.map((c) => c.node), ['web2'])
    assert.deepEqual(Object.keys(record.nodes).sort(), ['web1', 'web2'], 'the state file records the real servers')
    for (const h of directors) assert.deepEqual(h.calls, [])
    for (const h of rs) h.done()
  })

  it('a dry run plans on the real servers and changes nothing', async () => {
    const rs = ['web1', 'web2'].map((name) => new FakeHost(name).expect('@@hapair-fact file', {stdout: fileFactOutput(null)}))
    const hosts = new Map(rs.map((h) => [h.node, h]))
    const {record} = await executeStep(rsStep, lvsContext({}, {options: {dryRun: true}}), hosts, testStepHooks())
    assert.equal(record.status, 'planned')
    assert.deepEqual(record.planned.map((p) => p.split('\n')[0].split(':')[0]), ['web1', 'web2'])
    for (const h of rs) h.done()
  })
})

describe('a session connects every host of every role once, in parallel', () => {
  function clusterFile(): string {
    const dir = mkdtempSync(join(tmpdir(), 'hapair-roles-'))
    writeFileSync(join(dir, 'hapair.yaml'), LVS_CLUSTER_YAML)
    return join(dir, 'hapair.yaml')
  }
  process.env.HAPAIR_SSH_CONFIG = 'none'
  const base = {command: 'test', acceptNewHostKeys: false, interactive: false, lock: false}

  // The timeout only turns a sequential connector's hang into a failure; passing does not depend on time.
  it('four hosts, each dialled once, all under way before any finishes', {timeout: 20_000}, async () => {
    const dialled: string[] = []
    const waiting: Array<() => void> = []
    let inFlightAtRelease = 0
    const connect: Connector = (t) =>
      new Promise((resolve) => {
        dialled.push(t.node)
        // Nothing finishes until all four have started: a connector run one after another would
        // stop at the first host and leave inFlightAtRelease at 1.
        waiting.push(() => resolve(new FakeHost(t.node)))
        if (waiting.length === 4) {
          inFlightAtRelease = waiting.length
          for (const release of waiting) release()
        }
      })
    const names = await withSession({...base, configFile: clusterFile()}, async ({hosts}) => [...hosts.keys()], connect)
    assert.deepEqual(names, ['node1', 'node2', 'web1', 'web2'])
    assert.deepEqual([...dialled].sort(), ['node1', 'node2', 'web1', 'web2'])
    assert.equal(inFlightAtRelease, 4)
  })

  it('read-only views: an unreachable real server is named, every other host still connected', async () => {
    const connect: Connector = async (t) => {
      if (t.node === 'web2') throw new ConnectError('web2', 'connection refused by 192.168.77.22:22', 'Is sshd running?')
      return new FakeHost(t.node)
    }
    const seen = await withSession({...base, partial: true, configFile: clusterFile()}, async ({hosts, unreachable}) => ({hosts: [...hosts.keys()], unreachable: Object.fromEntries(unreachable)}), connect)
    assert.deepEqual(seen.hosts, ['node1', 'node2', 'web1'])
    assert.deepEqual(seen.unreachable, {web2: {message: 'connection refused by 192.168.77.22:22', hint: 'Is sshd running?'}})
  })

  it('commands that change things: one unreachable real server stops the run before any step, naming it', async () => {
    const connect: Connector = async (t) => {
      if (t.node === 'web1') throw new ConnectError('web1', 'web1: connection timed out')
      return new FakeHost(t.node)
    }
    let ran = false
    await assert.rejects(
      withSession({...base, configFile: clusterFile()}, async () => {
        ran = true
      }, connect),
      (e: Error) => e instanceof ConnectError && /web1/.test(e.message),
    )
    assert.equal(ran, false)
  })
})
