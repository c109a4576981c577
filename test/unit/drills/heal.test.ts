import assert from 'node:assert/strict'
import {test} from 'node:test'
import {realClock} from '../../../src/drills/client-writer.js'
import type {DrillEnv} from '../../../src/drills/env.js'
import {hostFaults} from '../../../src/drills/faults.js'
import type {NodeState} from '../../../src/cluster-state/node-state.js'
import {healCluster} from '../../../src/drills/heal.js'
import {stackOf} from '../../../src/stacks/registry.js'
import type {ExecOptions, Host} from '../../../src/transport/host.js'
import {drbd, serving, standby, testConfig} from './fixtures.js'
import {probeOutput, rawFor} from './probe-output.js'

/** Nodes whose probe answers from `states`; the commands heal may send change them as the real ones would. */
function envWith(states: Record<string, NodeState>, sent: string[]): DrillEnv {
  const config = testConfig()
  const host = (node: string): Host => ({
    node,
    address: node,
    run: async (script: string, opts: ExecOptions = {}) => {
      const reply = (stdout = '') => ({node, label: opts.label ?? '', code: 0, stdout, stderr: '', durationMs: 1})
      if (script.includes('@@hapair-fact')) return reply(probeOutput(rawFor(states[node]), script.includes('Split-Brain')))
      sent.push(`${node}: ${script}`)
      if (script === "drbdadm adjust 'r0'") {
        for (const n of Object.keys(states)) states[n] = {...states[n], drbd: drbd(states[n].drbd!.role, n === node ? 'Primary' : 'Secondary')}
      } else if (/systemctl start keepalived$/.test(script)) states[node] = {...states[node], haActive: true}
      else if (script.startsWith('ip addr del')) states[node] = {...states[node], vipHeld: false}
      else throw new Error(`unexpected script on ${node}: ${script}`)
      return reply()
    },
    close: async () => {},
  })
  return {
    config,
    stack: stackOf({stack: 'keepalived', service: 'nfs'}),
    faults: hostFaults({config, host, channels: [], allowCrash: false}),
    transport: undefined as never,
    host,
    reconnect: async (n) => host(n),
    clock: realClock,
    log: () => {},
  }
}

test('heal after a SIGKILLed keepalived: DRBD reconnected, daemon started, stale VIP removed, then healthy', async () => {
  const sent: string[] = []
  const states = {
    node1: serving({vipHeld: true}),
    node2: standby({vipHeld: true, haActive: false, drbd: drbd('Secondary', 'Unknown', 'StandAlone', 'UpToDate', 'DUnknown')}),
  }
  const out = await healCluster(envWith(states, sent), {deadline: realClock.now() + 5000, settleMs: 0})
  assert.equal(out.healthy, true, JSON.stringify(out.leftovers))
  assert.deepEqual(sent, [
    "node2: drbdadm adjust 'r0'",
    'node2: systemctl reset-failed keepalived 2>/dev/null || true\nsystemctl start keepalived',
    "node2: ip addr del 10.9.0.100/24 dev 'eth0'",
  ])
  assert.deepEqual(out.actions, ['node2: drbdadm adjust r0', 'node2: start keepalived', 'node2: remove the stale VIP 10.9.0.100'])
})

test('heal never touches a split brain: it reports it with the recovery command', async () => {
  const sent: string[] = []
  const sb = (role: string) => ({drbd: drbd(role, 'Unknown', 'StandAlone', 'UpToDate', 'DUnknown'), splitBrainLog: ['block drbd0: Split-Brain detected but unresolved, dropping connection!']})
  const states = {node1: serving(sb('Primary')), node2: standby(sb('Secondary'))}
  const out = await healCluster(envWith(states, sent), {deadline: realClock.now() + 1500, settleMs: 0})
  assert.equal(out.healthy, false)
  assert.deepEqual(sent, [])
  assert.ok(out.leftovers.some((l) => /split-brain recover/.test(l.fix)))
})
