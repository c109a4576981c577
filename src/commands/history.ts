import {Args} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {UsageError} from '../errors.js'
import {askToSetAside, resetStateFlag} from '../engine/reset-state.js'
import {stateDirFor} from '../engine/state-dir.js'
import {runDetail, runsTable} from '../state/history-view.js'
import {runProcessAlive} from '../state/run-alive.js'
import {openStateFile} from '../state/state-file.js'

export default class History extends BaseCommand {
  static summary = 'Show past runs and drills from the state file, or one run step by step.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> 3', '<%= config.bin %> <%= command.id %> --json']
  static args = {run: Args.string({description: 'Run number (as listed) to show step by step.', required: false})}
  static flags = {'reset-state': resetStateFlag}

  async run() {
    const {args, flags} = await this.parse(History)
    // Checked before the state file is read: a bad argument is a usage error whatever the history.
    const n = args.run === undefined ? undefined : Number(args.run)
    if (n !== undefined && !(Number.isInteger(n) && n >= 1)) throw new UsageError(`"${args.run}" is not a run number`, 'give the number shown in the # column of `hapair history`')
    const state = await openStateFile(stateDirFor(flags.config), {reset: flags['reset-state'], confirm: askToSetAside(this.interactive), notice: (t) => this.warn(t)})
    if (n === undefined) {
      this.log(runsTable(state.runs, (r) => runProcessAlive(r)))
      return {runs: state.runs}
    }
    const run = state.runs[n - 1]
    if (!run) throw new UsageError(`no run #${n}`, `there are ${state.runs.length} runs`)
    this.log(runDetail(run, (r) => runProcessAlive(r)))
    return run
  }
}
