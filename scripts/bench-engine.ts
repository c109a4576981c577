/**
 * The engine's own speed, on this machine: a converged re-run of 15 steps on two nodes over a
 * real sshd on loopback (the lab's emulated guests run bash ~15x slower, which would hide
 * hapair's cost). Beside it the floor the brief measured: one batched check script per node.
 */
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {clusterSchema} from '../src/config/schema.js'
import {factSet} from '../src/facts/fact.js'
import {fileFact} from '../src/facts/file.js'
import {osFact} from '../src/facts/os.js'
import {planFile} from '../src/steps/common/plan-file.js'
import type {Change, Step, StepContext} from '../src/engine/step.js'
import {runSteps} from '../src/engine/runner.js'
import {StateFile} from '../src/state/state-file.js'
import {connectAll} from '../src/transport/connect-all.js'
import {TestSshd} from '../test/unit/transport/sshd-fixture.js'

const STEPS = 15
const dir = mkdtempSync(join(tmpdir(), 'hapair-bench-'))

/** Step i keeps dir/step-i.conf as it is: a converged config-file step (os + file facts). */
function fileStep(i: number): Step {
  const path = join(dir, `step-${i}.conf`)
  return {
    id: `bench.step${i}`,
    title: `bench step ${i}`,
    facts: () => factSet({os: osFact, file: fileFact(path)}),
    plan(ctx, facts) {
      const changes = ctx.nodes.map((n) => planFile(n.name, facts[n.name].file, {path, content: `value=${i}\n`, mode: 0o644})).flatMap((c): Change[] => (c ? [c] : []))
      return {changes, notes: changes.length ? [] : ['as wanted']}
    },
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

export async function benchEngine(runs = 7): Promise<{engineMs: number; floorMs: number; roundTrips: Record<string, number>}> {
  const sshd = await TestSshd.start()
  try {
    const steps = Array.from({length: STEPS}, (_, i) => fileStep(i))
    for (let i = 0; i < STEPS; i++) writeFileSync(join(dir, `step-${i}.conf`), `value=${i}\n`, {mode: 0o644})
    const ssh = {user: 'root', port: sshd.port, identityFile: sshd.clientKey, knownHostsFile: join(dir, 'known_hosts'), connectTimeout: 15}
    const config = clusterSchema.parse({
      name: 'bench', stack: 'keepalived',
      nodes: [{name: 'node1', address: '127.0.0.1', ssh}, {name: 'node2', address: '127.0.0.1', ssh}],
      vip: {address: '127.0.0.100', prefix: 8, interface: 'lo'}, keepalived: {virtualRouterId: 1},
      storage: {disk: '/dev/null', partition: {number: 1, size: 'rest'}}, filesystem: {mountPoint: '/srv/bench'},
    })
    const targets = config.nodes.map((n) => ({node: n.name, address: n.address, ssh: n.ssh}))
    const connect = () => connectAll(targets, {acceptNewHostKeys: true, interactive: false})
    const secrets = {drbdSharedSecret: 'x'.repeat(32), keepalivedAuthPass: 'abcdefgh', corosyncAuthkey: 'a2V5', heartbeatAuthkey: 'h'.repeat(40)}
    const ctx: Omit<StepContext, 'params'> = {config, secrets, nodes: config.nodes, options: {dryRun: false, wipe: false, yes: true, interactive: false, noWait: false}}
    mkdirSync(join(dir, 'state'), {recursive: true})
    const engine: number[] = []
    const floor: number[] = []
    let roundTrips: Record<string, number> = {}
    for (let r = 0; r < runs; r++) {
      let t = performance.now()
      const hosts = await connect()
      const state = new StateFile(join(dir, 'state'))
      const run = state.beginRun({command: 'bench', hapairVersion: '0', clusterFile: 'bench', clusterHash: '0', dryRun: false})
      const summary = await runSteps({entries: steps.map((step) => ({step, params: {}})), ctx, hosts, state, run, renderer: 'silent', secrets: [], signal: new AbortController().signal})
      if (summary.changed !== 0) throw new Error('the bench steps were not converged')
      roundTrips = summary.roundTrips
      await Promise.all([...hosts.values()].map((h) => h.close()))
      engine.push(performance.now() - t)
      // The floor: every step's facts in one script per node, both nodes in parallel.
      t = performance.now()
      const again = await connect()
      const batch = steps.map((s) => s.facts(ctx as StepContext, config.nodes[0]).script).join('\n')
      await Promise.all([...again.values()].map((h) => h.run(batch)))
      await Promise.all([...again.values()].map((h) => h.close()))
      floor.push(performance.now() - t)
    }
    return {engineMs: median(engine), floorMs: median(floor), roundTrips}
  } finally {
    await sshd.stop()
  }
}
