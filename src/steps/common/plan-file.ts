import type {FileInfo} from '../../facts/file.js'
import type {FileChange} from '../../engine/step.js'

/** A file change when content or mode differ from what is wanted; otherwise nothing. */
export function planFile(
  node: string,
  current: FileInfo,
  want: {path: string; content: string; mode: number; secret?: boolean; validate?: string; title?: string},
): FileChange | undefined {
  if (current.exists && current.content === want.content && current.mode === want.mode) return undefined
  return {
    kind: 'file',
    node,
    title: want.title ?? `${current.exists ? 'update' : 'write'} ${want.path}`,
    path: want.path,
    content: want.content,
    mode: want.mode,
    before: current.content,
    secret: want.secret,
    validate: want.validate,
  }
}
