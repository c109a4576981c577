import {test} from 'node:test'
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {chooseRenderer, nodeOutput, nodeTitle} from '../../../src/engine/renderer.js'
import {describeChange} from '../../../src/engine/render-plan.js'
import {fileWriteScript} from '../../../src/engine/change-script.js'
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

test('plain output names the node on every node line; the live renderer keeps its rows bare', () => {
  assert.equal(nodeOutput('simple', 'node2', 'create /data'), 'node2: create /data')
  assert.equal(nodeOutput('default', 'node2', 'create /data'), 'create /data')
  assert.equal(nodeTitle('simple', 'node1', 'Toy file [toy.file]'), 'node1: Toy file [toy.file]')
  assert.equal(nodeTitle('default', 'node1', 'Toy file [toy.file]'), 'node1')
})

test('a run through a pipe: every line about a change or a node says which node', () => {
  const script = fileURLToPath(new URL('./plain-run.js', import.meta.url))
  const out = execFileSync(process.execPath, [script], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}})
  const changeLines = out.split('\n').filter((l) => /update \/etc\/toy\.conf|create \/etc\/toy\.conf/.test(l))
  assert.ok(changeLines.length >= 2, out)
  for (const node of ['node1', 'node2']) {
    assert.ok(changeLines.some((l) => l.includes(`${node}: `)), `no change line names ${node}:\n${out}`)
    assert.match(out, new RegExp(`✔ (\\[[\\d:]+\\] )?${node}: Toy file \\[toy\\.file\\]`))
  }
  for (const l of changeLines) assert.match(l, /node[12]: /, `a change line without its node: ${l}`)
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

test('what follows a file on the node (a reload) is shown with it in the plan, and runs right after it in the same script', () => {
  const change = {kind: 'file' as const, node: 'node1', title: 'update /etc/x', path: '/etc/x', content: 'a=2\n', mode: 0o644, before: 'a=1\n', then: {title: 'reload x', script: 'systemctl reload x'}}
  assert.match(describeChange(change), /\+a=2\n    then reload x:\n    \$ systemctl reload x$/)
  assert.match(fileWriteScript(change), /mv -f "\$tmp" '\/etc\/x'\ntrap - EXIT\nsystemctl reload x\n$/)
  assert.doesNotMatch(fileWriteScript({...change, then: undefined}), /reload/)
})
