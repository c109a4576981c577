/**
 * `hapair init --yes`: the cluster file from flags alone, no prompts and no SSH, checked by the
 * same loader as every other command before anything is written. Problems name the flag to fix.
 */
import {resolve} from 'node:path'
import {parseClusterText} from '../config/load.js'
import {renderClusterYaml} from '../config/save.js'
import {ConfigError} from '../errors.js'
import {buildClusterInput} from './answers.js'
import {answersFromFlags, withFlagHints, type InitFlags} from './flags.js'
import {assertWritable, writeCluster, type InitResult} from './write.js'

export async function initFromFlags(file: string, flags: InitFlags, opts: {force: boolean}): Promise<InitResult> {
  await assertWritable(file, opts.force)
  const input = buildClusterInput(answersFromFlags(flags))
  const checked = parseClusterText(renderClusterYaml(input))
  if (!checked.config) throw withFlagHints(new ConfigError(resolve(file), checked.problems))
  return writeCluster(file, input, {force: opts.force})
}
