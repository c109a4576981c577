import {Args} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {UsageError} from '../errors.js'
import {stateDirFor} from '../engine/session.js'
import {runDetail, runsTable} from '../state/history-view.js'
import {StateFile} from '../state/state-file.js'

export default class History extends BaseCommand {
  static summary = 'Show past runs and drills from the state file, or one run step by step.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> 3', '<%= config.bin %> <%= command.id %> --json']
  static args = {run: Args.integer({description: 'Run number (as listed) to show step by step.', required: false})}

  async run() {
    const {args, flags} = await this.parse(History)
    const state = new StateFile(stateDirFor(flags.config))
    if (args.run === undefined) {
      this.log(runsTable(state.runs))
      return {runs: state.runs}
    }
    const run = state.runs[args.run - 1]
    if (!run) throw new UsageError(`no run #${args.run}`, `there are ${state.runs.length} runs`)
    this.log(runDetail(run))
    return run
  }
}
