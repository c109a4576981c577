/**
 * One --json shape through the base command's error path: exit 0 prints the result itself; a
 * failure prints {error: {message, exitCode, hint?, problems?}, data?} and nothing else.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {fileURLToPath} from 'node:url'
import {Config} from '@oclif/core'
import {BaseCommand} from '../../../src/base-command.js'
import {CommandFailed, ConfigError, ExitCode, RemoteCommandError} from '../../../src/errors.js'

const root = fileURLToPath(new URL('../../../../', import.meta.url))
let config: Config | undefined

/**
 * Runs a command that fails with whatever the test hands it (or returns `result`), and returns
 * what it printed and its exit code (oclif's exit() throws). The output methods are captured on the
 * command itself: the test runner shares process.stdout.
 */
async function run(outcome: {throws?: Error; result?: unknown}, argv: string[]) {
  config ??= await Config.load(root)
  let stdout = ''
  let stderr = ''
  class Probe extends BaseCommand {
    async run() {
      await this.parse(Probe)
      if (outcome.throws) throw outcome.throws
      return outcome.result
    }

    logJson(json: unknown) {
      stdout += `${JSON.stringify(json)}\n`
    }

    logToStderr(message = '') {
      stderr += `${message}\n`
    }
  }
  let exitCode = 0
  try {
    await Probe.run(argv, config)
  } catch (error) {
    exitCode = (error as {oclif?: {exit?: number}}).oclif?.exit ?? -1
  }
  return {stdout, stderr, exitCode}
}

test('success: the result itself', async () => {
  const r = await run({result: {healthy: true}}, ['--json'])
  assert.equal(r.exitCode, 0)
  assert.deepEqual(JSON.parse(r.stdout), {healthy: true})
})

test('a finished command that failed: the error with its problems, and its result as data', async () => {
  const report = {cluster: 'c', condition: 'degraded'}
  const failed = new CommandFailed('c is degraded: node2 unreachable, node1 serves alone', ExitCode.degraded, report, [{message: 'node2: unreachable (timed out)'}])
  const r = await run({throws: failed}, ['--json'])
  assert.equal(r.exitCode, 4)
  assert.deepEqual(JSON.parse(r.stdout), {
    error: {message: 'c is degraded: node2 unreachable, node1 serves alone', exitCode: 4, problems: [{message: 'node2: unreachable (timed out)'}]},
    data: report,
  })
  assert.equal(r.stderr, '')
})

test('a step failure carries the run summary as data, and its hint', async () => {
  const error = Object.assign(new RemoteCommandError('node1', 'mkfs', 1, '', 'busy', 'filesystem.mkfs'), {data: {status: 'failed', steps: []}})
  const doc = JSON.parse((await run({throws: error}, ['--json'])).stdout)
  assert.equal(doc.error.exitCode, ExitCode.stepFailed)
  assert.match(doc.error.message, /^node1 \[filesystem\.mkfs\]: "mkfs" exited 1/)
  assert.deepEqual(doc.data, {status: 'failed', steps: []})
})

test('a bad cluster file: a one-line message, the problems as objects, no data', async () => {
  const error = new ConfigError('hapair.yaml', [{path: 'nodes[1].address', message: 'not an IP address', fix: 'write an IPv4 address', line: 7, column: 14}])
  const doc = JSON.parse((await run({throws: error}, ['--json'])).stdout)
  assert.deepEqual(doc, {
    error: {message: 'hapair.yaml: 1 problem', exitCode: 2, problems: [{path: 'nodes[1].address', message: 'not an IP address', fix: 'write an IPv4 address', line: 7, column: 14}]},
  })
})

test('no JSON error message points "above": there is nothing above in a JSON document', async () => {
  const doc = JSON.parse((await run({throws: new CommandFailed('preflight: 2 checks failed', 3, {findings: []})}, ['--json'])).stdout)
  assert.doesNotMatch(JSON.stringify(doc), /see above/)
  assert.deepEqual(Object.keys(doc), ['error', 'data'])
})

test('without --json the message and hint go to stderr and stdout stays empty', async () => {
  const r = await run({throws: new CommandFailed('not healthy', 3, {x: 1}, [], 'run hapair status')}, ['--no-color'])
  assert.equal(r.exitCode, 3)
  assert.equal(r.stdout, '')
  assert.equal(r.stderr, 'error: not healthy\nhint: run hapair status\n')
})
