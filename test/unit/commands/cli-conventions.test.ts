/**
 * The CLI's conventions as an operator meets them: did-you-mean for mistyped commands, each topic's
 * help listing its commands, and NO_COLOR / --no-color honoured at a real terminal (a pty:
 * test/helpers/pty.ts), where chalk alone would colour; at-a-terminal.test.ts does the same for
 * preflight's levels.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import chalk from 'chalk'
import {applyColorChoice, colorRefused} from '../../../src/color.js'
import {suggestCommand} from '../../../src/hooks/suggest-command.js'
import {Terminal} from '../../helpers/pty.js'

const root = fileURLToPath(new URL('../../../../', import.meta.url))
const bin = join(root, 'bin', 'run.js')
const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}
const ids = Object.keys(manifest.commands)

test('a mistyped command or topic command gets the nearest one', () => {
  assert.equal(suggestCommand('stauts', ids), 'status')
  assert.equal(suggestCommand('lab:stat', ids), 'lab:status')
  assert.equal(suggestCommand('preflght', ids), 'preflight')
  assert.equal(suggestCommand('zzzzzzzz', ids), undefined)
})

test('without a terminal, a mistyped command names the suggestion space-separated and exits 127', () => {
  const r = spawnSync(process.execPath, [bin, 'lab', 'stat'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: tmpdir()})
  assert.equal(r.status, 127)
  assert.match(r.stderr, /hapair lab stat: did you mean "hapair lab status"\?/)
  assert.doesNotMatch(r.stderr, /lab:stat/)
})

test("each topic's pre-rendered help lists its commands; the lab topic names exec, client and checkpoint", () => {
  const lab = readFileSync(join(root, 'dist', 'help', 'lab.txt'), 'utf8')
  assert.match(lab, /COMMANDS\n(?:.*\n)*\s+lab exec\s/)
  assert.match(lab, /\s+lab client\s/)
  assert.match(lab.split('\n\n')[0], /exec[\s\S]*client[\s\S]*checkpoint/, 'the topic text (wrapped to 100 columns)')
  assert.match(readFileSync(join(root, 'dist', 'help', 'split-brain.txt'), 'utf8'), /COMMANDS\n\s+split-brain recover\s/)
  // bin/run.js serves the same file for `hapair lab --help`.
  assert.equal(execFileSync(process.execPath, [bin, 'lab', '--help'], {encoding: 'utf8'}), lab)
})

test('NO_COLOR (any non-empty value) or --no-color turns colour off; an empty NO_COLOR does not', () => {
  assert.equal(colorRefused({NO_COLOR: '1'}, []), true)
  assert.equal(colorRefused({NO_COLOR: 'yes'}, []), true)
  assert.equal(colorRefused({NO_COLOR: ''}, []), false)
  assert.equal(colorRefused({}, ['status', '--no-color']), true)
  assert.equal(colorRefused({}, ['status']), false)
  assert.equal(colorRefused({FORCE_COLOR: '0'}, []), true)
  assert.equal(colorRefused({FORCE_COLOR: '1'}, []), false)
  const before = chalk.level
  try {
    chalk.level = 1
    applyColorChoice({NO_COLOR: '1'}, [])
    assert.equal(chalk.level, 0)
    // listr2's colorette takes any FORCE_COLOR as "always": the refusal reaches it as NO_COLOR.
    chalk.level = 1
    const env: NodeJS.ProcessEnv = {FORCE_COLOR: '0'}
    applyColorChoice(env, [])
    assert.equal(chalk.level, 0)
    assert.deepEqual(env, {NO_COLOR: '1'})
  } finally {
    chalk.level = before
  }
})

/** Runs hapair at a pseudo-terminal and returns what the terminal received. */
async function atTerminal(args: string, env: Record<string, string> = {}): Promise<string> {
  const t = new Terminal(args.split(' '), {cwd: mkdtempSync(join(tmpdir(), 'hapair-tty-')), env})
  await t.exited()
  return t.raw
}

test('at a terminal the error is red, and plain with NO_COLOR=1, --no-color or FORCE_COLOR=0', async () => {
  const missing = 'status -c /nonexistent/hapair.yaml'
  assert.match(await atTerminal(missing), /\x1b\[31merror:/)
  const noColor = await atTerminal(missing, {NO_COLOR: '1'})
  assert.match(noColor, /error: \/nonexistent\/hapair\.yaml/)
  assert.doesNotMatch(noColor, /\x1b\[/)
  assert.doesNotMatch(await atTerminal(`${missing} --no-color`), /\x1b\[/)
  assert.doesNotMatch(await atTerminal(missing, {FORCE_COLOR: '0'}), /\x1b\[/)
})
