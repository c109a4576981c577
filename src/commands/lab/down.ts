import {Command} from '@oclif/core'
import {labDown, type LabDownResult} from '../../lab/index.js'

export default class LabDown extends Command {
  static summary = 'Remove the lab: guests, namespaces, taps and runtime files'
  static description = 'Kills only the processes the lab started (by pid) and deletes only what it made. The image cache stays.'
  static examples = ['<%= config.bin %> <%= command.id %>']
  static enableJsonFlag = true

  async run(): Promise<LabDownResult> {
    await this.parse(LabDown)
    const result = await labDown()
    this.log(`Lab removed in ${(result.teardownMs / 1000).toFixed(1)} s.`)
    return result
  }
}
