/**
 * What a drill runs with, and the I/O around the pure parts: reading node states (one probe per
 * node) and polling them in the background while a fault plays out.
 */
import type {ClusterConfig, NodeConfig} from '../config/schema.js'
import type {Host} from '../transport/host.js'
import type {Clock, RecordTransport} from './client-writer.js'
import type {Faults} from './faults.js'
import {nodeProbe, type NodeState, type ServingShape} from '../cluster-state/node-state.js'
import {drillShape} from './serving.js'
import type {StackDescriptor} from '../stacks/types.js'
import type {ProbeSample} from './timeline.js'

export interface DrillEnv {
  config: ClusterConfig
  stack: StackDescriptor
  faults: Faults
  /** The drill client's way to the NFS export. */
  transport: RecordTransport
  /** The current connection to a node. */
  host(node: string): Host
  /** A fresh connection to a node (after a crash or reboot); null while it cannot be reached. */
  reconnect(node: string): Promise<Host | null>
  clock: Clock
  log(line: string): void
  /** Ctrl-C: stop watching, heal, stop. */
  signal?: AbortSignal
  /** Node poll period; default 250 ms. */
  pollMs?: number
  /** How long the cluster must stay healthy before a heal counts as done; default detection bound + 2 s. */
  healSettleMs?: number
}

/**
 * A poll's time limit. Each node's loop waits for its answer before the next poll, so a slow node
 * is simply polled less often; a short limit instead left probes to pile up on an emulated lab
 * guest that needed 2-3 s per answer, and the drill judged the end from answers minutes old.
 */
export const PROBE_TIMEOUT_MS = 8000

/** What reading node states needs: a drill's env, or `hapair switchover`'s (which reads with the stack's own serving shape). */
export type StateReader = Pick<DrillEnv, 'config' | 'stack' | 'host'> & {shape?: ServingShape}

/** Every node's state now; a node that does not answer within `timeoutMs` (well beyond a poll's, so a slow node still does) is `undefined`. */
export async function readStates(env: StateReader, full = true, timeoutMs = 15_000): Promise<Record<string, NodeState | undefined>> {
  const probe = nodeProbe(env.config, env.shape ?? drillShape(env.stack), {full})
  const entries = await Promise.all(
    env.config.nodes.map(async (node): Promise<[string, NodeState | undefined]> => {
      try {
        const r = await env.host(node.name).run(probe.script, {label: 'drill probe', timeoutMs})
        return [node.name, probe.parse(r.stdout)]
      } catch {
        return [node.name, undefined]
      }
    }),
  )
  return Object.fromEntries(entries)
}

/** Polls every node on its own loop (a dead node never slows the other's samples). */
export class NodePoller {
  readonly samples: ProbeSample[] = []
  private stopped = false
  private loops: Promise<void>[] = []

  constructor(
    private readonly env: DrillEnv,
    private readonly nodes: NodeConfig[],
  ) {}

  start(): void {
    if (this.loops.length) return
    const probe = nodeProbe(this.env.config, drillShape(this.env.stack))
    const every = this.env.pollMs ?? 250
    this.loops = this.nodes.map(async (node) => {
      while (!this.stopped) {
        const sentMs = this.env.clock.now()
        try {
          const r = await this.env.host(node.name).run(probe.script, {label: 'drill probe', timeoutMs: PROBE_TIMEOUT_MS})
          this.samples.push({node: node.name, sentMs, receivedMs: this.env.clock.now(), state: probe.parse(r.stdout)})
        } catch (e) {
          this.samples.push({node: node.name, sentMs, receivedMs: this.env.clock.now(), error: (e as Error).message})
        }
        await this.env.clock.sleep(every - (this.env.clock.now() - sentMs))
      }
    })
  }

  async stop(): Promise<void> {
    this.stopped = true
    await Promise.all(this.loops)
  }
}

/** Waits until `check` holds (true) or `deadline` passes (false), checking every `everyMs`. */
export async function waitUntil(env: Pick<DrillEnv, 'clock' | 'signal'>, deadline: number, everyMs: number, check: () => Promise<boolean> | boolean): Promise<boolean> {
  for (;;) {
    if (await check()) return true
    if (env.clock.now() >= deadline || env.signal?.aborted) return false
    await env.clock.sleep(Math.min(everyMs, deadline - env.clock.now()))
  }
}
