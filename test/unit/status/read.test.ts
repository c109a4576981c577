import {test} from 'node:test'
import assert from 'node:assert/strict'
import type {ServingShape} from '../../../src/cluster-state/node-state.js'
import {readStatus} from '../../../src/status/read.js'
import {renderStatus} from '../../../src/status/report.js'
import type {Unreachable} from '../../../src/transport/connect-all.js'
import {FakeHost} from '../../../src/transport/fake-host.js'
import {toyContext} from '../engine/toy-step.js'
import {nodeOutput, primary, primaryAlone} from './node-output.js'

const {config} = toyContext()
const shape: ServingShape = {haUnit: 'keepalived', vip: true, service: 'nfs'}
const unreachable2 = new Map<string, Unreachable>([['node2', {message: 'cannot reach 192.0.2.12:22 (EHOSTUNREACH)', hint: 'Is node2 up?'}]])

test('one node unreachable, the other serving alone: degraded, the survivor read in full, the other marked with its reason', async () => {
  const node1 = new FakeHost('node1').expect('@@hapair-fact drbd', {stdout: nodeOutput(config, {proc: primaryAlone, vip: true, mounted: true, threads: 8, ha: true})})
  const r = await readStatus(config, shape, new Map([['node1', node1]]), unreachable2)
  node1.done()
  assert.equal(r.condition, 'degraded')
  assert.equal(r.healthy, false)
  assert.deepEqual(r.nodes[1], {node: 'node2', reachable: false, drbd: null, mounted: false, nfsRunning: false, vipHeld: false, haActive: false, error: 'cannot reach 192.0.2.12:22 (EHOSTUNREACH)', hint: 'Is node2 up?'})
  assert.equal(r.nodes[0].drbd?.role, 'Primary')
  assert.equal(r.vipHolder, 'node1')
  const text = renderStatus(r)
  assert.match(text, /: DEGRADED \(one node unreachable; the other serves alone\)/)
  assert.match(text, /\nnode2\s+UNREACHABLE\s+\?/)
  assert.match(text, /! node2: unreachable \(cannot reach 192\.0\.2\.12:22 \(EHOSTUNREACH\)\)/)
  assert.match(text, /hint \(node2\): Is node2 up\?/)
})

test('one node unreachable and the other not serving: unhealthy, not degraded', async () => {
  const node1 = new FakeHost('node1').expect('@@hapair-fact drbd', {stdout: nodeOutput(config, {proc: primaryAlone, vip: false, mounted: true, threads: 8, ha: true})})
  const r = await readStatus(config, shape, new Map([['node1', node1]]), unreachable2)
  assert.equal(r.condition, 'unhealthy')
})

test('no node reachable: unhealthy, both marked', async () => {
  const unreachable = new Map<string, Unreachable>([...unreachable2, ['node1', {message: 'timed out'}]])
  const r = await readStatus(config, shape, new Map(), unreachable)
  assert.equal(r.condition, 'unhealthy')
  assert.deepEqual(r.nodes.map((n) => [n.node, n.reachable, n.error]), [['node1', false, 'timed out'], ['node2', false, 'cannot reach 192.0.2.12:22 (EHOSTUNREACH)']])
})

test('a connected node whose probe fails is unreachable too, with the probe error', async () => {
  const node1 = new FakeHost('node1').expect('@@hapair-fact drbd', {stdout: nodeOutput(config, {proc: primary, vip: true, mounted: true, threads: 8, ha: true})})
  const node2 = new FakeHost('node2').expect('@@hapair-fact drbd', {throws: new Error('node2: connection lost')})
  const r = await readStatus(config, shape, new Map([['node1', node1], ['node2', node2]]), new Map())
  assert.equal(r.nodes[1].reachable, false)
  assert.equal(r.nodes[1].error, 'node2: connection lost')
})
