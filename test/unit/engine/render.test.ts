import {test} from 'node:test'
import assert from 'node:assert/strict'
import {chooseRenderer} from '../../../src/engine/renderer.js'
import {describeChange} from '../../../src/engine/render-plan.js'
import {redactSecretKeys} from '../../../src/facts/file.js'

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

test('a secret file diff shows every line but the secret values: an injected handler is visible', () => {
  const keys = [{key: 'shared-secret', quoted: true}]
  const content = 'resource r0 {\n  disk /dev/vdb1;\n  net { shared-secret "NewSecret123"; }\n  handlers { fence-peer "/bin/touch /tmp/x"; }\n}\n'
  const before = redactSecretKeys('resource r0 {\n  disk /dev/vdb1;\n  net { shared-secret "OldSecret999"; }\n}\n', keys)
  const out = describeChange({kind: 'file', node: 'node1', title: 'update', path: '/etc/drbd.d/r0.res', content, mode: 0o600, before, secret: true, shown: redactSecretKeys(content, keys), beforeSha256: 'ab'.repeat(32)})
  assert.match(out, /\+  handlers \{ fence-peer "\/bin\/touch \/tmp\/x"; \}/)
  assert.match(out, /shared-secret "<secret>"/)
  assert.match(out, /sha256 abababababab -> sha256 /)
  assert.doesNotMatch(out, /NewSecret123|OldSecret999/)
})
