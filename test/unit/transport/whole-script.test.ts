/**
 * A script cut short on its way to the node runs nothing (a SIGKILLed hapair, a lost link): the
 * brace group is read whole by bash before any of it runs.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {SCRIPT_HEADER, wholeScript} from '../../../src/transport/host.js'

const bash = (input: string) => spawnSync('bash', ['-s'], {input, encoding: 'utf8'})

test('a whole script runs as the bare script does: strict options, exit code, output, heredocs', () => {
  const script = "echo one\ncat <<'EOF'\n} not the end\nEOF\ntrue | true\nexit 7"
  const bare = bash(SCRIPT_HEADER + script)
  const whole = bash(wholeScript(script))
  assert.equal(whole.status, 7)
  assert.equal(whole.stdout, bare.stdout)
  assert.equal(whole.stdout, 'one\n} not the end\n')
  assert.equal(bash(wholeScript('false\necho after')).stdout, '', 'set -e no longer applies')
  assert.equal(bash(wholeScript('false | true\necho after')).stdout, '', 'pipefail no longer applies')
})

test('cut anywhere, a whole script runs none of its commands; the bare script runs its first half', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-whole-'))
  const script = `touch ${dir}/first\ntouch ${dir}/second\ntouch ${dir}/third`
  const sent = wholeScript(script)
  for (let cut = 1; cut < sent.length - 1; cut++) {
    bash(sent.slice(0, cut))
    assert.deepEqual(readdirSync(dir), [], `cut at ${cut} of ${sent.length} ran part of the script`)
  }
  bash((SCRIPT_HEADER + script).slice(0, SCRIPT_HEADER.length + script.indexOf('\n', script.indexOf('second'))))
  assert.deepEqual(readdirSync(dir).sort(), ['first', 'second'], 'the bare script, cut after its second line, should have run two commands')
  bash(sent)
  assert.deepEqual(readdirSync(dir).sort(), ['first', 'second', 'third'])
})
