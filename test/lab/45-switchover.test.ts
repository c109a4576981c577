/**
 * Issue 17's planned switchover in the lab, both ways, on the NFS + keepalived cluster (node1
 * preferred, preempt on), with a file written through the VIP read back after each move:
 *   - `--dry-run` changes nothing; `--to` the serving node and an unhealthy cluster (DRBD
 *     disconnected on node2) are refused (exit 5) with nothing done;
 *   - node1 -> node2: keepalived stopped gracefully on node1 and left stopped (preempt would take
 *     the VIP straight back), node2 serves; `status` says node1's keepalived is not running;
 *   - node2 -> node1: node1's keepalived started, node2 released and rejoined as BACKUP, node1
 *     serves, `status` healthy;
 *   - with nopreempt (ha-install of a variant file): node1 -> node2 with node1 rejoining as
 *     BACKUP and staying so after three adverts from node2 (the suite's nopreempt proof); then
 *     the original file is installed again.
 * Each phase's time and the service gap are printed for the lab log.
 */
import {before, test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {clientExec, VIP} from '../../src/lab/index.js'
import {expectExit, hapair} from './cli.js'
import {advertsReceived, clusterFileVariant, haLogTails, onGuest as on, requireCluster} from './lab-suite.js'

const nfsUrl = (file: string) => `nfs://${VIP}/data/${file}?version=3`

async function writeThroughVip(file: string, content: string): Promise<void> {
  const local = join(mkdtempSync(join(tmpdir(), 'hapair-switchover-')), file)
  writeFileSync(local, content)
  const r = await clientExec(['nfs-cp', local, nfsUrl(file)], {timeoutMs: 60_000})
  assert.equal(r.code, 0, `writing ${file} through the VIP failed: ${r.stderr}`)
}

async function readThroughVip(file: string): Promise<string> {
  const r = await clientExec(['nfs-cat', nfsUrl(file)], {timeoutMs: 60_000})
  assert.equal(r.code, 0, `reading ${file} through the VIP failed: ${r.stderr}`)
  return r.stdout
}

/** hapair's own view: which node serves, and each node's HA daemon. */
async function statusJson(configFile?: string): Promise<{serving: string[]; haActive: Record<string, boolean>; code: number; json: any}> {
  const r = await hapair(['status', '--json'], {configFile})
  const report = r.code === 0 ? r.json : r.json?.data
  assert.ok(report?.nodes, `status --json gave no report (exit ${r.code}): ${r.stdout}${r.stderr}`)
  const nodes: any[] = report.nodes
  return {
    code: r.code,
    json: report,
    serving: nodes.filter((n) => n.vipHeld && n.drbd?.role === 'Primary' && n.mounted).map((n) => n.node),
    haActive: Object.fromEntries(nodes.map((n) => [n.node, n.haActive === true])),
  }
}

/** Waits (up to 2 minutes) until `hapair status` says healthy, e.g. after DRBD reconnects and resyncs. */
async function untilHealthy(configFile?: string): Promise<void> {
  const start = Date.now()
  for (;;) {
    const s = await statusJson(configFile)
    if (s.code === 0) return
    if (Date.now() - start > 120_000) assert.fail(`not healthy after 2 minutes: ${JSON.stringify(s.json.problems)}`)
    await new Promise((r) => setTimeout(r, 2000))
  }
}

function logPhases(what: string, json: any): void {
  const phases = json.phases.map((p: any) => `${p.phase}@${p.node} ${p.ms} ms`).join(', ')
  console.log(`${what}: ${phases}; service gap ${json.serviceGapMs} ms; total ${json.totalMs} ms`)
}

async function switchover(args: string[], what: string, configFile?: string): Promise<any> {
  const r = await hapair(['switchover', '--json', ...args], {configFile, timeoutMs: 5 * 60_000})
  if (r.code !== 0) assert.fail(`${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}\n${await haLogTails()}`)
  logPhases(what, r.json)
  return r.json
}

before(async () => {
  await requireCluster()
})

test('--dry-run shows the phases and their commands and changes nothing', async () => {
  const r = expectExit(await hapair(['switchover', '--dry-run', '--json']), 0, 'switchover --dry-run')
  assert.deepEqual([r.json.from, r.json.to, r.json.dryRun], ['node1', 'node2', true])
  assert.deepEqual(r.json.phases.map((p: any) => p.phase), ['release', 'takeover', 'settle'])
  assert.equal(r.json.phases[0].command, 'systemctl stop keepalived')
  assert.deepEqual((await statusJson()).serving, ['node1'])
})

test('refused with exit 5 and nothing done: the target already serves; the cluster is not healthy', async () => {
  const same = expectExit(await hapair(['switchover', '--to', 'node1', '--json']), 5, 'switchover --to the serving node')
  assert.match(same.json.error.message, /node1 already serves/)
  // Replication cut: not a state to move the service from. (A stopped keepalived on the target
  // would not do: switchover starts it first, as when returning to a node it left stopped.)
  await on('node2', 'drbdadm disconnect r0')
  try {
    const sick = expectExit(await hapair(['switchover', '--json']), 5, 'switchover on an unhealthy cluster')
    assert.match(sick.json.error.message, /not healthy, so the switchover did not start/)
    assert.ok(sick.json.error.problems.some((p: any) => p.node === 'node2' && /not Connected UpToDate\/UpToDate/.test(p.message)), JSON.stringify(sick.json.error.problems))
  } finally {
    await on('node2', 'drbdadm connect r0')
  }
  await untilHealthy()
  assert.deepEqual((await statusJson()).serving, ['node1'])
})

test('preempt: node1 -> node2 (node1 left stopped) and back, the data readable through the VIP after each move', async () => {
  await writeThroughVip('before-switchover.txt', 'written with node1 serving\n')

  const away = await switchover([], 'switchover node1 -> node2')
  assert.deepEqual([away.from, away.to], ['node1', 'node2'])
  assert.deepEqual(away.phases.map((p: any) => p.phase), ['release', 'takeover', 'settle'])
  assert.ok(away.phases.every((p: any) => Number.isInteger(p.ms)))
  assert.match(away.held, /keepalived stays stopped on node1/)
  const there = await statusJson()
  assert.deepEqual(there.serving, ['node2'])
  assert.deepEqual(there.haActive, {node1: false, node2: true})
  assert.equal(there.code, 3, 'status should call the cluster unhealthy while node1\'s keepalived is held stopped')
  assert.equal(await readThroughVip('before-switchover.txt'), 'written with node1 serving\n')
  await writeThroughVip('during-node2.txt', 'written with node2 serving\n')

  const back = await switchover(['--to', 'node1'], 'switchover node2 -> node1')
  assert.deepEqual(back.phases.map((p: any) => `${p.phase}@${p.node}`), ['start-target@node1', 'release@node2', 'takeover@node1', 'rejoin@node2', 'settle@both'])
  const home = await statusJson()
  assert.equal(home.code, 0, `status after the return: ${JSON.stringify(home.json.problems)}`)
  assert.deepEqual(home.serving, ['node1'])
  assert.equal(await readThroughVip('during-node2.txt'), 'written with node2 serving\n')
})

test('nopreempt: node1 -> node2 with node1 rejoining as BACKUP and staying so; then the original config again', async () => {
  const variant = clusterFileVariant((y) => y.replace(/preempt: true/, 'preempt: false'))
  expectExit(await hapair(['ha-install'], {configFile: variant, timeoutMs: 10 * 60_000}), 0, 'ha-install with nopreempt')
  try {
    const r = await switchover(['--to', 'node2'], 'switchover node1 -> node2 (nopreempt)', variant)
    assert.deepEqual(r.phases.map((p: any) => `${p.phase}@${p.node}`), ['release@node1', 'takeover@node2', 'rejoin@node1', 'settle@both'])
    assert.equal(r.held, undefined)
    // A preempting node1 takes over at the first advert it receives from the lower-priority master;
    // three received adverts (keepalived's own counters, reset by the rejoin's restart) are the
    // evidence that it had every chance to, without guessing a time.
    const end = Date.now() + 120_000
    while ((await advertsReceived('node1')) < 3) {
      assert.ok(Date.now() < end, 'node1 received no three adverts from node2 within 2 minutes')
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    const s = await statusJson(variant)
    assert.equal(s.code, 0)
    assert.deepEqual(s.serving, ['node2'])
    assert.deepEqual(s.haActive, {node1: true, node2: true})
    await switchover(['--to', 'node1'], 'switchover node2 -> node1 (nopreempt)', variant)
  } finally {
    expectExit(await hapair(['ha-install'], {timeoutMs: 10 * 60_000}), 0, 'ha-install with the original file')
  }
  assert.deepEqual((await statusJson()).serving, ['node1'])
})
