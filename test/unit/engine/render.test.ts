import {test} from 'node:test'
import assert from 'node:assert/strict'
import {chooseRenderer} from '../../../src/engine/renderer.js'
import {describeChange} from '../../../src/engine/render-plan.js'

test('renderer: live on a terminal, plain lines in CI or pipes, silent for --json', () => {
  assert.equal(chooseRenderer({json: false, stdoutIsTTY: true, env: {}}), 'default')
  assert.equal(chooseRenderer({json: false, stdoutIsTTY: false, env: {}}), 'simple')
  assert.equal(chooseRenderer({json: false, stdoutIsTTY: true, env: {CI: 'true'}}), 'simple')
  assert.equal(chooseRenderer({json: true, stdoutIsTTY: true, env: {}}), 'silent')
})

test('file diffs show changed lines; secret files show only hashes', () => {
  const plain = describeChange({kind: 'file', node: 'node1', title: 'update /etc/x', path: '/etc/x', content: 'a=2\n', mode: 0o644, before: 'a=1\n'})
  assert.match(plain, /-a=1/)
  assert.match(plain, /\+a=2/)
  const secret = describeChange({kind: 'file', node: 'node1', title: 'update', path: '/etc/k', content: 'auth_pass topsecret\n', mode: 0o600, before: null, secret: true})
  assert.doesNotMatch(secret, /topsecret/)
  assert.match(secret, /holds a secret/)
})
