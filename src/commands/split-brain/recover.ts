import {Flags} from '@oclif/core'
import {BaseCommand, hostKeyFlags, yesFlag} from '../../base-command.js'
import {recoverSplitBrain, type RecoverResult} from '../../drills/split-brain-session.js'

export default class SplitBrainRecover extends BaseCommand {
  static summary = 'Recover from a DRBD split brain: choose the survivor, discard the other side\'s changes, resync.'
  static description = [
    'Shows both sides (roles, generation identifiers, what is mounted, newest files), lets you choose whose data survives',
    '(or takes --keep NODE), names what will be lost and asks before running `drbdadm connect --discard-my-data` on the other node.',
    'Without a terminal, both --keep NODE and --yes are required.',
  ].join('\n')
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --keep node1 --yes']
  static flags = {
    ...hostKeyFlags,
    ...yesFlag,
    keep: Flags.string({summary: 'The node whose data survives (the other node\'s changes since the split are discarded).'}),
    'wait-seconds': Flags.integer({summary: 'How long to wait for the resync before leaving the rest to you.', default: 600, min: 0}),
  }

  async run(): Promise<RecoverResult> {
    const {flags} = await this.parse(SplitBrainRecover)
    const json = this.jsonEnabled()
    const result = await recoverSplitBrain({
      configFile: flags.config,
      keep: flags.keep,
      yes: flags.yes,
      interactive: this.interactive && !json,
      acceptNewHostKeys: flags['accept-new-host-keys'],
      waitMs: flags['wait-seconds'] * 1000,
      print: (line) => json || this.log(line),
      // @inquirer/prompts is loaded only when there is something to ask.
      chooseSurvivor: async (sides) =>
        (await import('@inquirer/prompts')).select({message: 'Whose data survives?', choices: Object.keys(sides).map((n) => ({name: n, value: n, description: `${n}'s changes are kept; the other node's are discarded`}))}),
      confirm: async (message) => (await import('@inquirer/prompts')).confirm({message, default: false}),
    })
    if (!json) {
      if (result.finding.state === 'none') this.log('Nothing to recover.')
      else if (result.recovered) this.log(`Recovered: ${result.plan!.victim} resynced from ${result.plan!.survivor}.`)
      for (const r of result.remaining) this.log(`still to do: ${r}`)
    }
    return result
  }
}
