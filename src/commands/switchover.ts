import {Flags} from '@oclif/core'
import chalk from 'chalk'
import {BaseCommand, hostKeyFlags} from '../base-command.js'
import {realClock} from '../drills/client-writer.js'
import type {Host} from '../transport/host.js'
import {withSession} from '../engine/session.js'
import {stackOf} from '../stacks/registry.js'
import {servingShape} from '../stacks/serving-shape.js'
import {HAPAIR_VERSION} from '../engine/version.js'
import {checkSwitchoverRequest} from '../switchover/plan.js'
import {recordedSwitchover} from '../switchover/record.js'
import {renderSwitchover, runSwitchover, type SwitchoverReport} from '../switchover/run.js'

export default class Switchover extends BaseCommand {
  static summary = 'Move the service to the other node, planned and clean, with the stack\'s own mechanism; times each phase.'
  static description = [
    'keepalived: a graceful stop on the active node (it sends a priority-0 advert and its notify script releases NFS, the mount and DRBD), a wait until the other node serves (VIP, DRBD Primary, mount, nfsd), then a start so it rejoins as BACKUP. With preempt on, moving away from the higher-priority node leaves its keepalived stopped (it would take the VIP straight back); `switchover` to that node brings it back. heartbeat: hb_standby. pacemaker: not supported yet.',
    'Starts only from a healthy cluster: exit 5 when it is not, or when the target already serves (nothing is done); 3 when the target does not take over in time (the released node\'s HA daemon is started again) or the cluster does not settle healthy.',
    'Each switchover that starts is recorded in the state file, so `hapair history` lists it (a dry run as a dry run).',
  ].join('\n')
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --to node2 --dry-run',
    '<%= config.bin %> <%= command.id %> --to node1 --json',
  ]
  static flags = {
    ...hostKeyFlags,
    to: Flags.string({summary: 'Node to move the service to (default: the one not serving).'}),
    'dry-run': Flags.boolean({char: 'n', summary: 'Check the cluster and show the phases and their commands; change nothing.', default: false}),
    timeout: Flags.integer({summary: 'Seconds to wait for the takeover, and again for the cluster to settle.', default: 120, min: 5}),
  }

  async run(): Promise<SwitchoverReport> {
    const {flags} = await this.parse(Switchover)
    const json = this.jsonEnabled()
    // The lock even for --dry-run: a dry run is recorded in the state file too, and two writers would lose a run.
    const opts = {configFile: flags.config, command: 'switchover', acceptNewHostKeys: flags['accept-new-host-keys'], interactive: this.interactive, lock: true, partial: true}
    const report = await withSession({...opts, beforeConnect: ({config}) => checkSwitchoverRequest(config, stackOf(config), flags.to)}, async ({cluster: {config, file, hash}, hosts, state}) => {
      const stack = stackOf(config)
      const env = {config, stack, shape: servingShape(stack), clock: realClock, log: (line: string) => json || this.log(chalk.dim(`${new Date().toISOString().slice(11, 19)} ${line}`)), host: (node: string) => hosts.get(node) ?? unreachableHost(node)}
      const meta = {hapairVersion: HAPAIR_VERSION, clusterFile: file, clusterHash: hash, dryRun: flags['dry-run']}
      return recordedSwitchover(state, meta, (record) => runSwitchover({...env, record}, {to: flags.to, dryRun: flags['dry-run'], timeoutMs: flags.timeout * 1000}))
    })
    if (!json) this.log(renderSwitchover(report))
    return report
  }
}

/** A node that did not connect: every call fails, so its state reads as "does not answer" and the gate refuses. */
function unreachableHost(node: string): Host {
  return {node, address: node, run: async () => Promise.reject(new Error(`${node} is unreachable`)), close: async () => {}}
}
