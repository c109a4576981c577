import {Args} from '@oclif/core'
import {LabCommand} from '../../../lab/lab-command.js'
import {removeCheckpoint} from '../../../lab/checkpoint.js'

export default class LabCheckpointRm extends LabCommand {
  static summary = 'Delete a lab checkpoint'
  static examples = ['<%= config.bin %> <%= command.id %> storage-ready']
  static args = {name: Args.string({description: 'checkpoint name', required: true})}

  async run(): Promise<{name: string}> {
    const {args} = await this.parse(LabCheckpointRm)
    const {machine, paths} = this.checkpointContext()
    const result = await removeCheckpoint(args.name, machine, paths)
    this.log(`Checkpoint ${result.name} removed.`)
    return result
  }
}
