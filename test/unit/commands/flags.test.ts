/**
 * Every flag a command advertises does something there: the flags in the built manifest, per
 * command, are exactly those its run() uses (checked by hand when this table changes).
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'

const manifest = JSON.parse(readFileSync(new URL('../../../../oclif.manifest.json', import.meta.url), 'utf8')) as {commands: Record<string, {flags: Record<string, unknown>}>}

const common = ['config', 'json', 'no-color']
const connects = [...common, 'accept-new-host-keys']
// Commands that judge a node's distribution take --force-distro.
// --reset-state: the commands that read the run-state file before they start.
const runbook = [...connects, 'dry-run', 'only', 'from', 'limit', 'force-distro', 'reset-state']
const expected: Record<string, string[]> = {
  history: [...common, 'reset-state'],
  status: [...connects, 'watch', 'interval'],
  preflight: [...connects, 'fix', 'dry-run', 'force-distro'],
  'failover-test': [...connects, 'allow-crash', 'report', 'junit', 'keep-going', 'floor'],
  'split-brain:recover': [...connects, 'yes', 'keep', 'wait-seconds'],
  partition: [...runbook, 'wipe', 'yes'],
  'drbd-init': [...runbook, 'wipe', 'yes', 'no-wait'],
  run: [...runbook, 'wipe', 'yes', 'no-wait'],
  'ha-install': runbook,
  report: [...connects, 'output', 'since'],
  switchover: [...connects, 'to', 'dry-run', 'timeout'],
}

for (const [id, flags] of Object.entries(expected)) {
  test(`${id} advertises only the flags it uses`, () => {
    assert.deepEqual(Object.keys(manifest.commands[id].flags).sort(), [...flags].sort())
  })
}

test('every lab command takes --no-color, except exec and ssh, whose arguments belong to the command they run', () => {
  const lab = Object.entries(manifest.commands).filter(([id]) => id.startsWith('lab:'))
  assert.ok(lab.length >= 9)
  for (const [id, c] of lab) assert.equal('no-color' in c.flags, !['lab:exec', 'lab:ssh'].includes(id), id)
})

test('no command advertises --yes or --accept-new-host-keys without connecting or confirming', () => {
  assert.ok(!('yes' in manifest.commands.history.flags) && !('accept-new-host-keys' in manifest.commands.history.flags))
  assert.ok(!('yes' in manifest.commands.status.flags))
  assert.ok(!('no-wait' in manifest.commands.partition.flags) && !('no-wait' in manifest.commands['ha-install'].flags))
})
