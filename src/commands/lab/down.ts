import {Flags} from '@oclif/core'
import {LabPlainCommand} from '../../lab/lab-plain-command.js'
import {labDown, type LabDownResult} from '../../lab/index.js'

export default class LabDown extends LabPlainCommand {
  static summary = 'Remove the lab: guests, namespaces, taps and runtime files'
  static description =
    'Kills only the processes the lab started (by pid) and deletes only what it made. The image cache stays. ' +
    'Checkpoints stay too (with the guest disks and keys they need) unless --purge.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --purge']
  static enableJsonFlag = true
  static flags = {
    purge: Flags.boolean({description: 'also remove every checkpoint and the guest disks holding them'}),
  }

  async run(): Promise<LabDownResult> {
    const {flags} = await this.parse(LabDown)
    const result = await labDown({purge: flags.purge})
    this.log(`Lab removed in ${(result.teardownMs / 1000).toFixed(1)} s.${result.keptCheckpoints.length ? ` Kept checkpoints: ${result.keptCheckpoints.join(', ')}.` : ''}`)
    return result
  }
}
