/**
 * Base of the lab commands other than `lab checkpoint`: oclif's own error handling, as they have
 * always had, plus the one convention every hapair command shares, --no-color (NO_COLOR too).
 */
import {Command} from '@oclif/core'
import {noColorFlag} from '../base-command.js'
import {applyColorChoice} from '../color.js'

export abstract class LabPlainCommand extends Command {
  static baseFlags = {...noColorFlag}

  async init(): Promise<void> {
    applyColorChoice(process.env, this.argv)
    await super.init()
  }
}
