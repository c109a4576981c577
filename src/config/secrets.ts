/**
 * The secrets file: the DRBD shared secret, keepalived's auth_pass and the corosync and heartbeat
 * keys, generated once into `<cluster>.secrets.yaml` beside the cluster file with mode 0600.
 * They are never written into hapair.yaml and never printed; `secretValues` feeds log masking.
 *
 * A secrets file readable by group or others is refused, not silently repaired, the way ssh treats
 * a private key: the secrets may already have leaked, and the user should know (and decide).
 */
import {randomBytes, randomInt} from 'node:crypto'
import {readFile, stat} from 'node:fs/promises'
import {parseDocument} from 'yaml'
import {ConfigError} from '../errors.js'
import {writeFileAtomic} from './atomic-write.js'
import {secretsSchema, type Secrets} from './schema.js'
import {formatPath} from './yaml-positions.js'
import {unsafeSecretProblems} from './safe-values.js'
import {yamlToJS} from './yaml-to-js.js'

/** `hapair.yaml` -> `hapair.secrets.yaml`, in the same directory. */
export function secretsPathFor(clusterFile: string): string {
  return /\.ya?ml$/i.test(clusterFile) ? clusterFile.replace(/\.ya?ml$/i, '.secrets.yaml') : `${clusterFile}.secrets.yaml`
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

export function generateSecrets(): Secrets {
  return {
    drbdSharedSecret: randomBytes(24).toString('base64url'), // 32 characters
    // keepalived reads only the first 8 characters of auth_pass; randomInt has no modulo bias.
    keepalivedAuthPass: Array.from({length: 8}, () => ALNUM[randomInt(ALNUM.length)]).join(''),
    corosyncAuthkey: randomBytes(256).toString('base64'), // corosync-keygen writes 256 random bytes
    heartbeatAuthkey: randomBytes(20).toString('hex'), // 40 hex characters for `auth 1 / 1 sha1 KEY`
  }
}

export function renderSecretsYaml(secrets: Secrets): string {
  return [
    '# hapair secrets: generated once, used on both nodes. Keep this file private (mode 0600),',
    '# out of version control, and beside the cluster file it belongs to.',
    ...Object.entries(secrets).flatMap(([k, v]) => (v && typeof v === 'object' ? [`${k}:`, ...Object.entries(v).map(([n, x]) => `  ${n}: ${JSON.stringify(x)}`)] : [`${k}: ${v}`])),
    '',
  ].join('\n')
}

/** Every secret value, so loggers can mask them wherever they appear. */
export function secretValues(secrets: Secrets): string[] {
  const values = Object.values(secrets).flatMap((v) => (v && typeof v === 'object' ? Object.values(v) : [v]))
  return values.filter((v): v is string => typeof v === 'string' && v.length > 0)
}

/**
 * Reads the secrets file, or generates and writes it (mode 0600) when it does not exist yet.
 * Never replaces an existing secrets file: the running cluster uses those values.
 */
export async function loadOrCreateSecrets(path: string, opts: {create?: boolean} = {}): Promise<Secrets> {
  const existing = await readSecrets(path)
  if (existing) return existing
  if (opts.create === false) {
    throw new ConfigError(path, [{path: '', message: 'the secrets file does not exist', fix: 'run `hapair init` (or any command that loads the cluster file) to generate it'}])
  }
  try {
    await writeFileAtomic(path, renderSecretsYaml(generateSecrets()), {mode: 0o600, overwrite: false})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    // Another hapair process created it first: use theirs.
  }
  return (await readSecrets(path))!
}

/** The validated secrets, or undefined when the file does not exist. */
export async function readSecrets(path: string): Promise<Secrets | undefined> {
  let info
  try {
    info = await stat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  if ((info.mode & 0o077) !== 0) {
    throw new ConfigError(path, [
      {
        path: '',
        message: `the secrets file is readable by others (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')}); its keys may have leaked`,
        fix: `run \`chmod 600 ${path}\`; if others could read it, delete it instead: the next hapair command generates new secrets, and applying the cluster again installs them`,
      },
    ])
  }
  const restore = 'restore the file from a backup; hapair regenerates it only when it is missing'
  const doc = parseDocument(await readFile(path, 'utf8'), {prettyErrors: false})
  if (doc.errors.length) {
    // The first part of the message only: the rest quotes the line, which may be a secret.
    throw new ConfigError(path, doc.errors.map((e) => ({path: '', message: `YAML syntax: ${e.message.split(':')[0]}`, fix: restore})))
  }
  const data = yamlToJS(doc)
  if (data.problem) throw new ConfigError(path, [{path: '', message: data.problem, fix: restore}])
  const parsed = secretsSchema.safeParse(data.value)
  if (!parsed.success) {
    // Messages only: a secret's value must not end up in an error message or a log.
    throw new ConfigError(
      path,
      parsed.error.issues.map((i) => ({
        path: formatPath(i.path),
        message: i.code === 'unrecognized_keys' ? `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.join(', ')}` : i.message,
        fix: i.path[0] === 'keepalivedAuthPass' ? 'use 1 to 8 characters: keepalived silently ignores the rest' : `keep the keys ${Object.keys(secretsSchema.shape).join(', ')}; delete the file to generate fresh ones`,
      })),
    )
  }
  const unsafe = unsafeSecretProblems(parsed.data)
  if (unsafe.length) throw new ConfigError(path, unsafe)
  return parsed.data
}
