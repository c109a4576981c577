/**
 * Issue 17's degraded views in the lab, with a guest really powered off: `status` shows the
 * serving node in full and the other as unreachable with the reason (exit 4, degraded: one node
 * serving alone), and `report` still collects the reachable node and names the other in its index.
 * The nodes' connect timeout is cut to 4 s in a copy of the cluster file: each command waits it
 * out for node2, and how long it waits is not under test. Afterwards the CLUSTER checkpoint is
 * restored, which brings node2 back as its saved self in seconds (no boot).
 */
import {test, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {powerOff} from '../../src/lab/index.js'
import {hapair as hapairOn} from './cli.js'
import {CHECKPOINT_CLUSTER, clusterFileVariant, requireCluster, restoreSuiteCheckpoint} from './lab-suite.js'

let configFile = ''
const hapair = (args: string[]) => hapairOn(args, {configFile})

before(async () => {
  await requireCluster()
  configFile = clusterFileVariant((yaml) => yaml.replaceAll(/knownHostsFile: ([^,}]+) \}/g, 'knownHostsFile: $1, connectTimeout: 4 }'))
  assert.match(readFileSync(configFile, 'utf8'), /connectTimeout: 4 \}/)
  await powerOff('node2')
})

after(async () => {
  await restoreSuiteCheckpoint(CHECKPOINT_CLUSTER)
})

test('status with node2 powered off: node1 in full, node2 UNREACHABLE with the reason, exit 4 (degraded)', async () => {
  const r = await hapair(['status', '--json'])
  assert.equal(r.code, 4, `${r.stdout}\n${r.stderr}`)
  const report = r.json?.data ?? r.json
  assert.ok(report?.nodes, `status --json gave no report: ${r.stdout}`)
  const byNode = Object.fromEntries(report.nodes.map((n: any) => [n.node, n]))
  assert.equal(byNode.node1.reachable, true)
  assert.equal(byNode.node1.vipHeld, true, JSON.stringify(byNode.node1))
  assert.equal(byNode.node1.drbd?.role, 'Primary', JSON.stringify(byNode.node1))
  assert.equal(byNode.node2.reachable, false)
  assert.match(byNode.node2.error, /node2|192\.168\.77\.12/, JSON.stringify(byNode.node2))

  const text = await hapair(['status'])
  assert.equal(text.code, 4)
  assert.match(text.stdout, /^node2\s+UNREACHABLE/m, text.stdout)
  assert.match(text.stdout, /^node1\s+Primary/m, text.stdout)
})

test('report with node2 powered off: node1 collected, node2 named UNREACHABLE in the index, exit 0', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'hapair-report-')), 'bundle.tar.gz')
  const r = await hapair(['report', '-o', out, '--json'])
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`)
  const list = execFileSync('tar', ['-tzf', out], {encoding: 'utf8'}).split('\n')
  assert.ok(list.some((f) => /\/node2\/UNREACHABLE\.txt$/.test(f)), list.join('\n'))
  assert.ok(list.some((f) => /\/node1\/.+[^/]$/.test(f)), `nothing collected from node1:\n${list.join('\n')}`)
  const index = JSON.parse(execFileSync('tar', ['-xzOf', out, '--wildcards', '*/index.json'], {encoding: 'utf8'}))
  const byNode = Object.fromEntries(index.nodes.map((n: any) => [n.node, n]))
  assert.equal(byNode.node1.reachable, true)
  assert.ok(byNode.node1.files.length > 0)
  assert.equal(byNode.node2.reachable, false)
  assert.ok(byNode.node2.error)
})
