/**
 * Base of the `lab checkpoint` commands: the product's error handling (HapairError exit codes,
 * JSON errors under --json) without the cluster-file flags, which mean nothing to the lab.
 */
import {BaseCommand} from '../base-command.js'
import {labCheckpointMachine} from './checkpoint-machine.js'
import {labPaths} from './paths.js'

export abstract class LabCommand extends BaseCommand {
  static baseFlags = {} as typeof BaseCommand.baseFlags

  protected checkpointContext() {
    const paths = labPaths()
    return {machine: labCheckpointMachine(paths), paths}
  }
}
