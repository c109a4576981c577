/**
 * Base of the `lab checkpoint` commands: the product's error handling (HapairError exit codes,
 * JSON errors under --json) without the cluster-file flags, which mean nothing to the lab;
 * --no-color is kept, as on every command.
 */
import {BaseCommand, noColorFlag} from '../base-command.js'
import {labCheckpointMachine} from './checkpoint-machine.js'
import {labPaths} from './paths.js'

export abstract class LabCommand extends BaseCommand {
  static baseFlags = {...noColorFlag} as typeof BaseCommand.baseFlags

  protected checkpointContext() {
    const paths = labPaths()
    return {machine: labCheckpointMachine(paths), paths}
  }
}
