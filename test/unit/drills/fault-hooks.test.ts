/**
 * The fault-hooks seam through oclif's real hook machinery: a plugin root whose package.json
 * registers a fake `fault-hooks` hook (or none) is loaded with Config.load, as bin/run.js loads
 * hapair's own.
 */
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, test} from 'node:test'
import {Config} from '@oclif/core'
import {faultHooksFrom, FAULT_HOOKS_EVENT} from '../../../src/drills/fault-hooks.js'
import {faultsFor} from '../../../src/drills/faults.js'
import type {Host} from '../../../src/transport/host.js'
import {testConfig} from './fixtures.js'

const roots: string[] = []
after(() => roots.forEach((r) => rmSync(r, {recursive: true, force: true})))

/** A plugin root; `hook` is the body of the registered hook's default export (none: no hook registered). */
async function pluginWith(hook?: string): Promise<Config> {
  const root = mkdtempSync(join(tmpdir(), 'hapair-hooks-'))
  roots.push(root)
  const oclif = hook ? {hooks: {[FAULT_HOOKS_EVENT]: './hook.js'}} : {}
  writeFileSync(join(root, 'package.json'), JSON.stringify({name: 'fake-env', version: '1.0.0', type: 'module', oclif}))
  if (hook) writeFileSync(join(root, 'hook.js'), `export default async function (options) {\n${hook}\n}\n`)
  return Config.load(root)
}

const FAKE = `
  if (!options.cluster.lab) return undefined
  globalThis.faultCalls = []
  return {
    powerOff: async (node) => { globalThis.faultCalls.push('off ' + node) },
    powerOn: async (node) => { globalThis.faultCalls.push('on ' + node) },
    cutPeerLink: async () => { globalThis.faultCalls.push('cut') },
  }`

const noHost = (): Host => {
  throw new Error('a lab fault must not run commands on the nodes')
}
const calls = () => (globalThis as unknown as {faultCalls: string[]}).faultCalls

test('a registered provider that claims the cluster gives the drills its faults (power, link cut)', async () => {
  const config = testConfig({lab: {dir: '/tmp/lab'}})
  const hooks = await faultHooksFrom(await pluginWith(FAKE))(config)
  assert.ok(hooks)
  const faults = faultsFor({config, host: noHost, channels: [], allowCrash: false}, hooks)
  assert.equal(faults.kind, 'lab')
  assert.equal(faults.crashRefusal, undefined)
  await faults.crash(config.nodes[0])
  await faults.powerOn(config.nodes[0])
  await faults.cutPeerLink()
  assert.deepEqual(calls(), ['off node1', 'on node1', 'cut'])
})

test('a provider that does not claim the cluster, or none registered: real-host faults, as without the lab', async () => {
  const config = testConfig()
  for (const env of [await pluginWith(FAKE), await pluginWith()]) {
    const hooks = await faultHooksFrom(env)(config)
    assert.equal(hooks, undefined)
    const faults = faultsFor({config, host: noHost, channels: [], allowCrash: false}, hooks)
    assert.equal(faults.kind, 'hosts')
    assert.equal(faults.crashRefusal, 'crashing a real host (sysrq) needs --allow-crash')
  }
})

test('a provider that fails is an error, not a quiet fall-back to real-host faults', async () => {
  const env = await pluginWith(`throw new Error('no lab is up')`)
  await assert.rejects(faultHooksFrom(env)(testConfig({lab: {dir: '/tmp/lab'}})), /no lab is up/)
})
