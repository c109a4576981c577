/**
 * `npm run bench`: speed, shown by measurement rather than by timed assertions in tests.
 *  - `hapair --help` cold start (median of 10)
 *  - every command's start-up CPU up to its first remote byte (or its exit), beside `node -e 0`,
 *    from interleaved runs; the biggest imports, each alone (bench-startup.ts)
 *  - the engine on loopback sshd: a converged re-run's wall time and remote round trips per node
 *    beside the floor of one batched check script per node (bench-engine.ts)
 *  - the lab: image build (or cache hit), cached boot, teardown; checkpoint save and restore of
 *    the converged cluster beside the cold boot and the setup they replace
 *  - blank disks -> mounted DRBD primary, beside the time DRBD spent syncing
 *  - a converged re-run of the whole runbook: wall time, round trips per step per node, and
 *    hapair's overhead over the time the remote commands themselves took
 *  - the floor: the stack's bare release and acquire timed on the same guests (failover-test --floor),
 *    and each drill's client-visible stall beside the detection bound and the floor: the ratio
 *    stall / (detection-bound share + floor) and the target share + 1.5 x floor + 1 s (issue 13)
 * `--quick`: --help and start-up only. `--no-lab`: also the imports and the engine on loopback sshd (root), no lab.
 */
import {spawnSync} from 'node:child_process'
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const bin = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const rows: [string, string][] = []
const show = (what: string, value: string) => {
  rows.push([what, value])
  console.log(`${what.padEnd(58)} ${value}`)
}

function timeHelp(): number {
  const times: number[] = []
  for (let i = 0; i < 10; i++) {
    const t = process.hrtime.bigint()
    spawnSync(process.execPath, [bin, '--help'], {stdio: 'ignore'})
    times.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return median(times)
}

show('hapair --help, cold start (median of 10)', `${timeHelp().toFixed(0)} ms (goal <= 150 ms)`)

const quick = process.argv.includes('--quick')
const {benchStartup, benchImports} = await import('./bench-startup.js')
const startup = benchStartup(quick ? 3 : 7)
show(`start-up CPU to first remote byte or exit (median of ${quick ? 3 : 7}, interleaved)`, `node -e 0: ${startup[0].nodeMs.toFixed(0)} ms (goal: every command <= 150 ms)`)
for (const row of startup) show(`  ${row.what}`, `${row.cpuMs.toFixed(0).padStart(4)} ms  ${(row.cpuMs / row.nodeMs).toFixed(2)}x node -e 0  (to its ${row.until === 'connect' ? 'first connect' : 'exit'})`)
if (quick) process.exit(0)
show('biggest imports, each alone: CPU beyond an empty process (median of 5)', '')
for (const i of benchImports().slice(0, 10)) show(`  ${i.module}`, `${i.cpuMs.toFixed(0)} ms`)

const {benchEngine} = await import('./bench-engine.js')
const engine = await benchEngine()
show('converged re-run, 15 steps x 2 nodes, loopback sshd (median of 7)', `${engine.engineMs.toFixed(0)} ms, ${(engine.engineMs / engine.floorMs).toFixed(2)}x the floor (goal <= 1.25x)`)
show('  floor: one batched check script per node (interleaved)', `${engine.floorMs.toFixed(0)} ms`)
show('  remote round trips per node (floor: 1)', Object.entries(engine.roundTrips).map(([n, c]) => `${n} ${c}`).join(', '))
if (process.argv.includes('--no-lab')) process.exit(0)

const {ensureLabUp, labDown, resetGuests} = await import('../src/lab/index.js')
const {stateDirFor} = await import('../src/engine/session.js')

const lab = await ensureLabUp()
show('lab: base image', lab.cached ? 'cached' : `built in ${(lab.buildMs / 1000).toFixed(1)} s`)
const reset = await resetGuests()
show('lab: cached boot of both guests to SSH (fresh disks)', `${(reset.bootMs / 1000).toFixed(1)} s`)

function hapair(args: string[]): {code: number; ms: number; stdout: string} {
  const [cmd, ...pre] = lab.clientCommand.split(' ')
  const t = Date.now()
  const r = spawnSync(cmd, [...pre, process.execPath, bin, ...args, '-c', lab.clusterFile], {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: {...process.env, CI: 'true'}})
  if (r.status !== 0) console.error(`hapair ${args.join(' ')} exited ${r.status}\n${r.stderr}`)
  return {code: r.status ?? 1, ms: Date.now() - t, stdout: r.stdout}
}

const part = hapair(['partition', '--json'])
const init = hapair(['drbd-init', '--json'])
const syncStep = (JSON.parse(init.stdout || '{}').steps ?? []).find((s: {id: string}) => s.id === 'drbd.sync')
show('blank disks -> mounted DRBD primary (partition + drbd-init)', `${((part.ms + init.ms) / 1000).toFixed(1)} s, of which DRBD sync ${((syncStep?.durationMs ?? 0) / 1000).toFixed(1)} s`)

const first = hapair(['run', 'nfs-keepalived', '--json'])
show('rest of nfs-keepalived (NFS + keepalived install and config)', `${(first.ms / 1000).toFixed(1)} s`)

// Checkpoints of the converged cluster beside what they replace: a cold boot and the setup.
{
  const {saveCheckpoint, restoreCheckpoint, removeCheckpoint, labCheckpointMachine, labPaths} = await import('../src/lab/index.js')
  const machine = labCheckpointMachine()
  const saves: number[] = []
  const restores: number[] = []
  for (let i = 0; i < 3; i++) {
    saves.push((await saveCheckpoint('bench', machine, labPaths())).saveMs)
    restores.push((await restoreCheckpoint('bench', machine, labPaths())).restoreMs)
  }
  await removeCheckpoint('bench', machine, labPaths())
  show('lab checkpoint save, both guests (median of 3)', `${(median(saves) / 1000).toFixed(1)} s`)
  show('lab checkpoint restore to DRBD Connected UpToDate (median of 3)', `${(median(restores) / 1000).toFixed(1)} s`)
  show('  beside: cold boot / blank disks -> converged cluster', `${(reset.bootMs / 1000).toFixed(1)} s / ${((part.ms + init.ms + first.ms) / 1000).toFixed(1)} s`)
}

// Converged re-run: count remote calls and their durations in the run log it writes.
const logs = join(stateDirFor(lab.clusterFile), 'logs')
const before = new Set(readdirSync(logs))
const again = hapair(['run', 'nfs-keepalived', '--json'])
const summary = JSON.parse(again.stdout || '{}')
const log = readdirSync(logs).filter((f) => !before.has(f)).map((f) => readFileSync(join(logs, f), 'utf8')).join('\n')
const calls = [...log.matchAll(/^=== \S+ (\S+) "([^"]*)" exit \d+ \((\d+) ms\)/gm)]
const remoteMs = Math.max(...['node1', 'node2'].map((n) => calls.filter((c) => c[1] === n).reduce((a, c) => a + Number(c[3]), 0)))
const steps = summary.steps?.length ?? 0
show(`converged re-run of ${steps} steps on 2 nodes`, `${(again.ms / 1000).toFixed(2)} s wall, ${summary.changed ?? '?'} changed`)
show('  remote calls per step per node', `${(calls.length / Math.max(1, steps) / 2).toFixed(2)}`)
show('  remote round trips per node (run --json roundTrips)', Object.entries((summary.roundTrips ?? {}) as Record<string, number>).map(([n, c]) => `${n} ${c}`).join(', ') || '?')
show('  time inside remote commands (slowest node)', `${(remoteMs / 1000).toFixed(2)} s (emulated guests run bash slowly)`)
show('  hapair overhead (wall - remote)', `${((again.ms - remoteMs) / 1000).toFixed(2)} s`)

// Every applicable drill; exit 3 (a missed expectation, e.g. isolate's split brain under keepalived,
// which has no fencing) still prints the report, as the error document's data.
const drill = hapair(['failover-test', '--floor', '--json'])
const sec = (ms: number | null | undefined) => (ms == null ? '?' : `${(ms / 1000).toFixed(1)} s`)
try {
  const json = JSON.parse(drill.stdout)
  const report = json.data ?? json
  const floor = report.floor
  if (floor) {
    show(`floor: bare release + acquire, HA manager stopped (${floor.handovers?.length ?? 0} handovers, medians)`, `release ${sec(floor.releaseMs)}, acquire ${sec(floor.acquireMs)}, ${floor.status}${floor.restore ? `, ${floor.restore.healthy ? 'healthy' : 'NOT healthy'} after restore` : ''}`)
    for (const why of floor.failures ?? []) show('  floor: why', why.split('\n')[0])
  }
  for (const d of report.drills ?? []) {
    const stall = d.timeline?.stallMs
    show(
      `drill ${d.scenario}: client-visible stall`,
      `${stall == null ? 'none' : sec(stall)} (detection bound ${sec(d.expectation?.detectionBoundMs)}), lost acked writes ${d.writes?.lost?.length ?? '?'}, ${d.status}`,
    )
    const f = d.floor
    if (f) {
      show(
        `  beside the floor (${f.rule.commands === 'handover' ? 'release + acquire' : 'acquire alone'}, share ${f.rule.detection === 'bound' ? 'the bound' : '0'})`,
        `floor ${sec(f.floorMs)}, ratio ${f.ratio == null ? '?' : `${f.ratio.toFixed(2)}x`}, target <= ${sec(f.targetMs)}: ${f.withinTarget == null ? 'no stall' : f.withinTarget ? 'within' : 'MISSED'}`,
      )
    }
  }
} catch {
  show('drills', `failover-test exited ${drill.code} without a JSON report`)
}

const down = await labDown()
show('lab: teardown', `${(down.teardownMs / 1000).toFixed(1)} s`)
