import {Args} from '@oclif/core'
import {LabCommand} from '../../../lab/lab-command.js'
import {saveCheckpoint} from '../../../lab/checkpoint.js'
import type {CheckpointMeta} from '../../../lab/checkpoint-store.js'

export default class LabCheckpointSave extends LabCommand {
  static summary = 'Save both lab guests (memory and disks) at one instant under a name'
  static description = 'Pauses both guests, saves each with qemu savevm into its qcow2 disks, and resumes both. Saving over an existing name replaces it once the new one is complete.'
  static examples = ['<%= config.bin %> <%= command.id %> storage-ready']
  static args = {name: Args.string({description: 'checkpoint name (letters, digits, - and _)', required: true})}

  async run(): Promise<CheckpointMeta> {
    const {args} = await this.parse(LabCheckpointSave)
    const {machine, paths} = this.checkpointContext()
    const meta = await saveCheckpoint(args.name, machine, paths)
    this.log(`Checkpoint ${meta.name} saved in ${(meta.saveMs / 1000).toFixed(1)} s (image ${meta.imageHash}).`)
    return meta
  }
}
