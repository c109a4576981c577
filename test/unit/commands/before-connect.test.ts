/**
 * `--limit` and `switchover` refuse what cannot work before any connection (exit 2): the nodes of
 * these cluster files (10.0.0.x, 172.16.0.x) are never dialled, so a refusal after a connection
 * attempt would show as a connect error instead.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {copyFileSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../../../../', import.meta.url))
const bin = join(root, 'bin', 'run.js')

function clusterFile(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-before-connect-'))
  copyFileSync(join(root, 'test', 'fixtures', 'config', 'good', fixture), join(dir, 'hapair.yaml'))
  return join(dir, 'hapair.yaml')
}

const hapair = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, CI: 'true'}})

test('--limit names a node of the cluster file, or the runbook command stops with exit 2 before connecting', () => {
  const r = hapair('run', 'nfs-keepalived', '--limit', 'node9', '-c', clusterFile('minimal.yaml'))
  assert.equal(r.status, 2, r.stderr)
  assert.match(r.stderr, /--limit node9: no such node in the cluster file\nhint: use one of: node1, node2/)
})

test('switchover: --to must name a node, and a stack without a switchover is refused, both before connecting (exit 2)', () => {
  const to = hapair('switchover', '--to', 'node9', '--json', '-c', clusterFile('minimal.yaml'))
  assert.equal(to.status, 2)
  assert.equal(JSON.parse(to.stdout).error.message, '--to node9: no such node in the cluster file')
  const pcmk = hapair('switchover', '-c', clusterFile('pacemaker.yaml'))
  assert.equal(pcmk.status, 2, pcmk.stderr)
  assert.match(pcmk.stderr, /switchover is not supported for the drbd-pacemaker stack: .*crm resource move/)
})
