/**
 * Help is wrapped to the terminal: the pre-rendered pages (100, 80 and 120 columns) never run
 * past their width, bin/run.js serves the one for the width oclif would use (OCLIF_COLUMNS, or the
 * terminal's), and another width is rendered live by oclif at that width (a pty from `script`).
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../../../../', import.meta.url))
const bin = join(root, 'bin', 'run.js')
const help = join(root, 'dist', 'help')
const longest = (text: string) => Math.max(...text.replace(/\x1b\[[0-9;]*m/g, '').replaceAll('\r', '').split('\n').map((l) => l.length))

test('every pre-rendered page fits its width', () => {
  for (const [dir, width] of [[help, 100], [join(help, '80'), 80], [join(help, '120'), 120]] as const) {
    const pages = readdirSync(dir).filter((f) => f.endsWith('.txt'))
    assert.ok(pages.length > 20, `${dir} has the pages`)
    for (const page of pages) assert.ok(longest(readFileSync(join(dir, page), 'utf8')) <= width, `${page} at ${width}`)
  }
  assert.ok(longest(readFileSync(join(help, '80', 'init.txt'), 'utf8')) > 70, 'the 80-column page uses its width')
})

const run = (args: string[], env: Record<string, string> = {}) => execFileSync(process.execPath, [bin, ...args], {encoding: 'utf8', env: {...process.env, ...env}})

test('bin/run.js serves the page for OCLIF_COLUMNS, and oclif renders other widths live', () => {
  assert.equal(run(['status', '--help'], {OCLIF_COLUMNS: '80'}), readFileSync(join(help, '80', 'status.txt'), 'utf8'))
  assert.equal(run(['init', '--help']), readFileSync(join(help, 'init.txt'), 'utf8'), 'a pipe gets the 100-column page')
  const live = run(['init', '--help'], {OCLIF_COLUMNS: '64'})
  assert.match(live, /^USAGE/m)
  assert.ok(longest(live) <= 64, `longest line ${longest(live)}`)
})

test('at a 70-column terminal, help fits the terminal', () => {
  const out = execFileSync('script', ['-qec', `stty cols 70; env -u OCLIF_COLUMNS ${process.execPath} ${bin} init --help`, '/dev/null'], {encoding: 'utf8'})
  assert.match(out, /USAGE/)
  assert.ok(longest(out) <= 70, `longest line ${longest(out)}`)
})
