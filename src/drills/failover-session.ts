/**
 * What `hapair failover-test` does around the drills: validate and choose scenarios before any
 * SSH, connect, pick the fault hooks (lab or real hosts) and the client, run the drills, and
 * record each in the state file as it ends.
 */
import type {ClusterConfig} from '../config/schema.js'
import {HAPAIR_VERSION} from '../engine/version.js'
import {withSession} from '../engine/session.js'
import type {Host} from '../transport/host.js'
import {connectHost} from '../transport/ssh-connect.js'
import type {RecordTransport} from './client-writer.js'
import type {DrillEnv} from './env.js'
import type {FaultHooksLookup} from './fault-hooks.js'
import type {DrillRecord} from './record.js'
import {selectScenarios, type Selection} from './scenarios/index.js'
import {stackOf} from '../stacks/registry.js'
import type {DrillReport, FloorMeasurement} from './types.js'

export interface FailoverTestInput {
  configFile: string
  scenarios: string[]
  allowCrash: boolean
  keepGoing: boolean
  /** Time the stack's bare release and acquire first (floor.ts) and set each drill's stall beside them. */
  floor?: boolean
  acceptNewHostKeys: boolean
  interactive: boolean
  /** Progress lines (silent under --json). */
  print(line: string): void
  signal?: AbortSignal
  /** Fault hooks an environment registered for this cluster (the lab's power and link faults). */
  faultHooks: FaultHooksLookup
}

export type FailoverTestReport = DrillReport & {notRun: string[]; skipped: Selection['skipped']}

/** Real hosts refuse a power loss without --allow-crash; the lab always allows it. */
export function crashRefusalFor(config: ClusterConfig, allowCrash: boolean): string | undefined {
  return config.lab?.dir || allowCrash ? undefined : 'crashing a real host (sysrq) needs --allow-crash'
}

export async function runFailoverTest(input: FailoverTestInput): Promise<FailoverTestReport> {
  let selection!: Selection
  return withSession(
    {
      configFile: input.configFile,
      command: 'failover-test',
      acceptNewHostKeys: input.acceptNewHostKeys,
      interactive: input.interactive,
      lock: true,
      beforeConnect: ({config}) => {
        selection = selectScenarios(input.scenarios, stackOf(config), crashRefusalFor(config, input.allowCrash))
      },
    },
    async (session) => {
      // The drill machinery is loaded once the connections are up (start-up cost: README, Benchmarks).
      const [{nativeNfs3, realClock}, {faultsFor}, {toDrillRecord}, {remoteKernelNfs}, {onNodeRecords}, {runDrills}] = await Promise.all([
        import('./client-writer.js'), import('./faults.js'), import('./record.js'), import('./remote-kernel-nfs.js'), import('./on-node-records.js'), import('./run-drills.js'),
      ])
      const {config} = session.cluster
      const stack = stackOf(config)
      const hosts = session.hosts
      const host = (node: string): Host => {
        const h = hosts.get(node)
        if (!h) throw new Error(`no connection to ${node}`)
        return h
      }
      const reconnect = async (node: string): Promise<Host | null> => {
        const n = config.nodes.find((m) => m.name === node)!
        try {
          const fresh = await connectHost({node: n.name, address: n.address, ssh: n.ssh}, {acceptNewHostKeys: false, interactive: false, log: session.log})
          const old = hosts.get(node)
          hosts.set(node, fresh) // the session closes whatever the map holds at the end
          await old?.close().catch(() => undefined)
          return fresh
        } catch {
          return null
        }
      }
      const faultEnv = {config, host, channels: stack.peerChannels(config), allowCrash: input.allowCrash}
      const faults = faultsFor(faultEnv, await input.faultHooks(config))

      let clientHost: Host | undefined
      let transport: RecordTransport
      // Every way an acknowledged record is on the serving node's stable storage (FILE_SYNC or fsync'd).
      const exportPath = config.nfs?.exports[0]?.path
      if (stack.service.drillWriter === 'on-node') {
        // No network client reaches the service: write where the mount is, over the nodes' own connections
        // (drill.client does not apply). Its filesystem section is required: validation refused the file without one.
        transport = onNodeRecords({nodes: config.nodes.map((n) => n.name), host, resource: config.drbd.resource, device: config.drbd.device, mountPoint: config.filesystem!.mountPoint})
      } else if (config.drill.client === 'local') {
        transport = nativeNfs3({exportPath})
      } else {
        const c = config.drill.client
        clientHost = await connectHost({node: c.name, address: c.address, ssh: c.ssh}, {acceptNewHostKeys: input.acceptNewHostKeys, interactive: input.interactive, log: session.log})
        transport = remoteKernelNfs(clientHost, {exportPath})
      }

      for (const s of selection.skipped) input.print(`skipping ${s.id}: ${s.why}`)
      const run = session.state.beginRun({command: 'failover-test', hapairVersion: HAPAIR_VERSION, clusterFile: session.cluster.file, clusterHash: session.cluster.hash, dryRun: false})
      const records: DrillRecord[] = []
      run.drills = records
      const env: DrillEnv = {config, stack, faults, transport, host, reconnect, clock: realClock, log: input.print, signal: input.signal}
      try {
        let floor: FloorMeasurement | undefined
        if (input.floor) {
          input.print('floor: timing the bare release and acquire with the HA manager stopped on both nodes')
          floor = await (await import('./floor.js')).measureFloor(env)
          input.print(`floor: ${floor.status}${floor.failures.length ? ` (${floor.failures[0].split('\n')[0]})` : ''}`)
        }
        const report = await runDrills(env, selection.selected, {
          keepGoing: input.keepGoing,
          runId: run.id,
          onResult: (result) => {
            records.push(toDrillRecord(result))
            session.state.save()
            input.print(`${result.scenario}: ${result.status}${result.failures.length ? ` (${result.failures[0].split('\n')[0]})` : ''}`)
          },
        })
        session.state.finishRun(run, input.signal?.aborted ? 'interrupted' : report.passed ? 'ok' : 'failed')
        if (!floor) return {...report, skipped: selection.skipped}
        const {withFloor} = await import('./floor-plan.js')
        const rules = new Map(selection.selected.map((sc) => [sc.id as string, sc.floorRule]))
        return {...report, drills: withFloor(report.drills, rules, floor), floor, skipped: selection.skipped}
      } catch (e) {
        session.state.finishRun(run, 'failed')
        throw e
      } finally {
        await transport.close()
        await clientHost?.close().catch(() => undefined)
      }
    },
  )
}
