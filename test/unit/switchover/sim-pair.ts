/**
 * A simulated keepalived pair for the switchover tests: hosts answer the state probe from a small
 * state machine (a stopped keepalived releases at once; the peer serves two polls later; a started
 * one preempts when preempt is on and it has the higher priority) on a clock that moves only when
 * slept on (or a command runs: 100 ms each). Any script the simulation does not know fails the test.
 */
import type {NodeState} from '../../../src/cluster-state/node-state.js'
import type {ClusterConfig} from '../../../src/config/schema.js'
import {nodePriorities} from '../../../src/stacks/preferred-node.js'
import {stackOf} from '../../../src/stacks/registry.js'
import {servingShape} from '../../../src/stacks/serving-shape.js'
import type {SwitchoverEnv} from '../../../src/switchover/run.js'
import type {ExecOptions, Host} from '../../../src/transport/host.js'
import {drbd, serving, standby} from '../drills/fixtures.js'
import {probeOutput, rawFor} from '../drills/probe-output.js'

export const keepalived = stackOf({stack: 'keepalived', service: 'nfs'})

export class SimPair {
  sent: string[] = []
  t = 0
  /** Probes until the peer of a released node serves. */
  private takeoverIn: {node: string; probes: number} | undefined
  constructor(
    readonly config: ClusterConfig,
    public states: Record<string, NodeState>,
    readonly opts: {neverTakesOver?: boolean} = {},
  ) {}

  private peer = (node: string) => this.config.nodes.find((n) => n.name !== node)!.name

  private moveTo(node: string) {
    this.states[node] = serving({haActive: this.states[node].haActive})
    this.states[this.peer(node)] = standby({haActive: this.states[this.peer(node)].haActive})
  }

  host = (node: string): Host => ({
    node,
    address: node,
    close: async () => {},
    run: async (script: string, opts: ExecOptions = {}) => {
      const reply = (stdout = '') => ({node, label: opts.label ?? '', code: 0, stdout, stderr: '', durationMs: 1})
      if (script.includes('@@hapair-fact')) {
        if (this.takeoverIn?.node === node && --this.takeoverIn.probes <= 0) {
          this.takeoverIn = undefined
          this.moveTo(node)
        }
        return reply(probeOutput(rawFor(this.states[node]), script.includes('Split-Brain')))
      }
      this.sent.push(`${node}: ${script.split('\n').at(-1)}`)
      this.t += 100 // every command takes 100 ms
      if (script === 'systemctl stop keepalived') {
        // priority-0 advert and notify_stop: this node lets go; the peer serves two of its polls later.
        this.states[node] = standby({haActive: false})
        this.states[this.peer(node)] = standby({...this.states[this.peer(node)], drbd: drbd('Secondary', 'Secondary')})
        if (!this.opts.neverTakesOver) this.takeoverIn = {node: this.peer(node), probes: 2}
      } else if (script.endsWith('systemctl start keepalived')) {
        this.states[node] = {...this.states[node], haActive: true}
        const prio = nodePriorities(this.config)
        if (this.config.keepalived!.preempt && prio[node] > prio[this.peer(node)]) this.takeoverIn = {node, probes: 1}
      } else throw new Error(`unexpected script on ${node}: ${script}`)
      return reply()
    },
  })

  env(): SwitchoverEnv {
    return {
      config: this.config,
      stack: keepalived,
      shape: servingShape(keepalived),
      host: this.host,
      clock: {now: () => this.t, sleep: async (ms) => void (this.t += ms)},
      log: () => {},
      pollMs: 500,
    }
  }
}

