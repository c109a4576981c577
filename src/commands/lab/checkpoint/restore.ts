import {Args} from '@oclif/core'
import {LabCommand} from '../../../lab/lab-command.js'
import {restoreCheckpoint, type RestoreResult} from '../../../lab/checkpoint.js'

export default class LabCheckpointRestore extends LabCommand {
  static summary = 'Return both lab guests to a saved checkpoint'
  static description =
    'Pauses both guests, loads the checkpoint into each, resumes both, steps their clocks to now and waits for DRBD ' +
    '(if it was connected) to reconnect UpToDate/UpToDate without a resync. A missing name, a checkpoint of another ' +
    'base image, or no lab up: exit 2, nothing changed.'
  static examples = ['<%= config.bin %> <%= command.id %> storage-ready']
  static args = {name: Args.string({description: 'checkpoint name', required: true})}

  async run(): Promise<RestoreResult> {
    const {args} = await this.parse(LabCheckpointRestore)
    const {machine, paths} = this.checkpointContext()
    const result = await restoreCheckpoint(args.name, machine, paths)
    this.log(`Restored ${result.name} (saved ${result.savedAt}) in ${(result.restoreMs / 1000).toFixed(1)} s.`)
    for (const [guest, drbd] of Object.entries(result.drbd)) this.log(`  ${guest}: DRBD ${drbd ?? 'not configured'}`)
    return result
  }
}
