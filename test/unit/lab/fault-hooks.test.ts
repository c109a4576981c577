/** The lab registers its fault hooks with hapair through package.json's oclif.hooks, and claims only its own cluster files. */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {test} from 'node:test'
import {Config} from '@oclif/core'
import {faultHooksFrom, FAULT_HOOKS_EVENT} from '../../../src/drills/fault-hooks.js'
import {labFaultHooks} from '../../../src/lab/fault-hooks.js'
import {testConfig} from '../cluster-state/fixtures.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..')

test('package.json registers the lab hook from the built lab (bundled: scripts/bundle.js), and hapair finds it through oclif', async () => {
  const pjson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  assert.equal(pjson.oclif.hooks[FAULT_HOOKS_EVENT], './dist/bundle/hooks/fault-hooks.cjs')
  const lookup = faultHooksFrom(await Config.load(ROOT))
  assert.equal(await lookup(testConfig()), undefined)
  const hooks = await lookup(testConfig({lab: {dir: '/tmp/hapair-lab'}}))
  assert.deepEqual(Object.keys(hooks ?? {}).sort(), ['cutPeerLink', 'healPeerLink', 'powerOff', 'powerOn'])
})

test('labFaultHooks claims only a cluster file with lab.dir', () => {
  assert.equal(labFaultHooks(testConfig()), undefined)
  assert.equal(typeof labFaultHooks(testConfig({lab: {dir: '/tmp/hapair-lab'}}))?.powerOff, 'function')
})
