import {sha256} from '../../engine/redact.js'
import type {FileChange} from '../../engine/step.js'
import {redactSecretKeys, SECRET_MARKER, type FileInfo, type SecretKey} from '../../facts/file.js'
import {HA_SCRIPT_MODE} from '../../templates/scripts/paths.js'

/**
 * A file change when content or mode differ from what is wanted; otherwise nothing. A file with
 * `secretKeys` holds secrets: its fact carries the node's sha256 and redacted content (read with
 * the same keys), so the comparison is by hash and the change carries only redacted text to show.
 */
export function planFile(
  node: string,
  current: FileInfo,
  want: {path: string; content: string; mode: number; secretKeys?: readonly SecretKey[]; validate?: string; title?: string},
): FileChange | undefined {
  const secret = want.secretKeys !== undefined
  const same = secret ? current.sha256 === sha256(want.content) : current.content === want.content
  if (current.exists && same && current.mode === want.mode) return undefined
  return {
    kind: 'file',
    node,
    title: want.title ?? `${current.exists ? 'update' : 'write'} ${want.path}`,
    path: want.path,
    content: want.content,
    mode: want.mode,
    before: current.content,
    ...(secret && {secret: true, shown: redactSecretKeys(want.content, want.secretKeys!), beforeSha256: current.sha256 ?? null}),
    validate: want.validate,
  }
}

/** A root-run script (HA resource, notify, check, monitor): 0755, checked with `bash -n` before it replaces the old one. */
export function planScript(node: string, current: FileInfo, path: string, content: string): FileChange | undefined {
  return planFile(node, current, {path, content, mode: HA_SCRIPT_MODE, validate: 'bash -n {}'})
}

/**
 * A file that is a secret as a whole (read with secretFileFact): compared by hash, written with
 * the log and the dry-run showing only the marker.
 */
export function planSecretFile(node: string, current: FileInfo, want: {path: string; content: string; mode: number; title?: string}): FileChange | undefined {
  if (current.exists && current.sha256 === sha256(want.content) && current.mode === want.mode) return undefined
  return {
    kind: 'file',
    node,
    title: want.title ?? `${current.exists ? 'update' : 'write'} ${want.path} (secret)`,
    path: want.path,
    content: want.content,
    mode: want.mode,
    before: current.exists ? SECRET_MARKER : null,
    secret: true,
    shown: SECRET_MARKER,
    beforeSha256: current.sha256 ?? null,
  }
}
