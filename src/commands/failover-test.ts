import {Args, Flags} from '@oclif/core'
import chalk from 'chalk'
import {writeFileSync} from 'node:fs'
import {BaseCommand, hostKeyFlags} from '../base-command.js'
import {CommandFailed, ExitCode} from '../errors.js'
import {faultHooksFrom} from '../drills/fault-hooks.js'
import {runFailoverTest, type FailoverTestReport} from '../drills/failover-session.js'
import {SCENARIO_IDS} from '../drills/types.js'
import {drillsFailed} from '../drills/outcome.js'

export default class FailoverTest extends BaseCommand {
  static summary = 'Run failover drills: inject a fault, measure what an NFS client sees, prove no acknowledged write is lost.'
  static description = [
    `Scenarios: ${SCENARIO_IDS.join(', ')} (default: every one that applies to the stack; crash-active on real hosts only with --allow-crash).`,
    'Each drill starts only from a healthy cluster, writes numbered records through the VIP while the fault plays out, heals the cluster afterwards and reads every acknowledged record back.',
    '--floor first times the stack\'s bare release and acquire on the same nodes (HA manager stopped on both, 3 round trips, then restored and checked healthy; only from a healthy cluster) and prints each drill\'s stall beside them: stall / (detection-bound share + floor) and whether it is within share + 1.5 x floor + 1 s. Informational: it never changes the verdict or the exit code.',
    'Exit code 3 when any drill misses its expectation; 5 when drills only refused to start (the cluster was not healthy, so nothing was done).',
  ].join('\n')
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> stop-ha maintenance --report drills.md',
    '<%= config.bin %> <%= command.id %> crash-active --allow-crash --junit drills.xml',
    '<%= config.bin %> <%= command.id %> --floor --report drills.md',
  ]
  static strict = false
  static args = {scenario: Args.string({description: `scenario(s) to run: ${SCENARIO_IDS.join(', ')}`, required: false})}
  static flags = {
    ...hostKeyFlags,
    'allow-crash': Flags.boolean({summary: 'Allow crash-active on real hosts (sysrq crash of the active node).', default: false}),
    report: Flags.string({summary: 'Also write a Markdown report to this file.'}),
    junit: Flags.string({summary: 'Also write JUnit XML to this file (for CI).'}),
    'keep-going': Flags.boolean({summary: 'Run the remaining drills after one fails.', default: false}),
    floor: Flags.boolean({summary: "Time the stack's bare release and acquire first (HA manager stopped on both nodes) and set each drill's stall beside them.", default: false}),
  }

  async run(): Promise<FailoverTestReport> {
    const {argv, flags} = await this.parse(FailoverTest)
    const json = this.jsonEnabled()
    const controller = new AbortController()
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(ExitCode.interrupted)
      process.stderr.write('\ninterrupted: healing the cluster before stopping (Ctrl-C again to quit at once)\n')
      controller.abort()
    }
    process.on('SIGINT', onSigint)
    let report: FailoverTestReport
    try {
      report = await runFailoverTest({
        configFile: flags.config,
        scenarios: argv as string[],
        allowCrash: flags['allow-crash'],
        keepGoing: flags['keep-going'],
        floor: flags.floor,
        acceptNewHostKeys: flags['accept-new-host-keys'],
        interactive: this.interactive,
        print: (line) => json || this.log(chalk.dim(`${new Date().toISOString().slice(11, 19)} ${line}`)),
        signal: controller.signal,
        faultHooks: faultHooksFrom(this.config),
      })
    } finally {
      process.off('SIGINT', onSigint)
    }
    if (flags.report) writeFileSync(flags.report, (await import('../drills/report/markdown.js')).renderMarkdown(report))
    if (flags.junit) writeFileSync(flags.junit, (await import('../drills/report/junit.js')).renderJunit(report))
    if (!json) {
      this.log((await import('../drills/report/table.js')).renderTables(report, {color: (v, text) => (v === 'PASS' ? chalk.green(text) : chalk.red(text))}))
      if (report.notRun.length) this.log(`not run after a failure: ${report.notRun.join(', ')} (add --keep-going to run them anyway)`)
    }
    if (controller.signal.aborted) throw new CommandFailed('interrupted; the cluster was healed first', ExitCode.interrupted, report)
    if (!report.passed) throw drillsFailed(report)
    return report
  }
}
