/**
 * The end of `hapair init`, whichever way the answers came: validate with the loader every
 * command uses, write hapair.yaml atomically, and generate the secrets file beside it if it is
 * not there yet. An existing secrets file is kept, even with --force: the running cluster uses it.
 */
import {access} from 'node:fs/promises'
import {resolve} from 'node:path'
import {saveCluster, type ClusterInput} from '../config/save.js'
import type {ClusterConfig} from '../config/schema.js'
import {loadOrCreateSecrets, readSecrets, secretsPathFor} from '../config/secrets.js'
import {ConfigError} from '../errors.js'

export interface InitResult {
  file: string
  secretsFile: string
  /** false: an existing secrets file was kept. */
  secretsCreated: boolean
  /** The file replaced an existing one (--force). */
  replaced: boolean
  config: ClusterConfig
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

/** Refuses early, before any question is asked, when the file exists and --force was not given. */
export async function assertWritable(file: string, force: boolean): Promise<void> {
  if (!force && (await exists(resolve(file)))) {
    throw new ConfigError(resolve(file), [{path: '', message: 'the cluster file already exists; init does not overwrite it', fix: 'pass --force to replace it (its secrets file is kept), or write another file with --config FILE'}])
  }
}

export async function writeCluster(file: string, input: ClusterInput, opts: {force: boolean}): Promise<InitResult> {
  const path = resolve(file)
  const replaced = await exists(path)
  const secretsFile = secretsPathFor(path)
  // A broken or world-readable secrets file stops init before hapair.yaml is touched.
  const kept = await readSecrets(secretsFile)
  const saved = await saveCluster(path, input, {overwrite: opts.force})
  if (!kept) await loadOrCreateSecrets(secretsFile)
  return {file: saved.file, secretsFile, secretsCreated: !kept, replaced: replaced && opts.force, config: saved.config}
}
