/**
 * The wizard's answers so far, kept when it is interrupted (Ctrl-C, or "no" to writing the file):
 * `<file>.answers.yaml` beside the cluster file, in the shape of init's own flags, so that
 * `hapair init --resume` asks again with every earlier answer as the default (press Enter
 * through them). Written atomically, mode 0600 (addresses and user names); no secrets are in it.
 * The late-failure draft (draft.ts) is different: a whole cluster file to fix and move into place.
 */
import {existsSync, readFileSync, rmSync} from 'node:fs'
import {parse, stringify} from 'yaml'
import {writeFileAtomic} from '../config/atomic-write.js'
import {UsageError} from '../errors.js'
import type {NodeProgress} from './ask-node.js'
import type {InitFlags} from './flags.js'

export function progressPathFor(file: string): string {
  return `${file}.answers.yaml`
}

/** A node's answers in `--node1` form: `name=node1,address=10.0.0.11,user=root,port=22`. */
export function nodeSpec(n: NodeProgress): string {
  return [n.name && `name=${n.name}`, `address=${n.address}`, `user=${n.user}`, `port=${n.port}`, n.identityFile && `identityFile=${n.identityFile}`].filter(Boolean).join(',')
}

const KEYS = ['name', 'stack', 'node1', 'node2', 'vip', 'interface', 'disk', 'size', 'mount', 'fs-type', 'export-clients', 'vrid'] as const

export async function saveProgress(file: string, answers: InitFlags): Promise<string> {
  const path = progressPathFor(file)
  const kept = Object.fromEntries(KEYS.filter((k) => answers[k] !== undefined).map((k) => [k, answers[k]]))
  const header = `# hapair init was interrupted; these are the answers given so far.\n# Resume with: hapair init --resume${file.endsWith('/hapair.yaml') ? '' : ` -c ${file}`}\n`
  await writeFileAtomic(path, header + stringify(kept), {mode: 0o600})
  return path
}

/** The saved answers as init's flags; a missing file is a usage error that says what to run instead. */
export function loadProgress(file: string): InitFlags {
  const path = progressPathFor(file)
  if (!existsSync(path)) throw new UsageError(`--resume: there is no ${path} (no interrupted \`hapair init\` for ${file})`, 'run `hapair init` without --resume')
  const data: unknown = parse(readFileSync(path, 'utf8'))
  if (!data || typeof data !== 'object') return {}
  const out: Record<string, unknown> = {}
  for (const k of KEYS) {
    const v = (data as Record<string, unknown>)[k]
    if (k === 'vrid' ? typeof v === 'number' : typeof v === 'string') out[k] = v
  }
  return out as InitFlags
}

export function dropProgress(file: string): void {
  rmSync(progressPathFor(file), {force: true})
}
