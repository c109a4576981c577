/** Human-readable plans for --dry-run: the commands and unified diffs of every file. */
import {createTwoFilesPatch} from 'diff'
import {sha256} from './redact.js'
import type {Change, FileChange} from './step.js'

export function describeChange(change: Change): string {
  switch (change.kind) {
    case 'command':
      return [
        `${change.node}: ${change.title}${change.destroys ? `  [DESTROYS: ${change.destroys}]` : ''}`,
        ...change.script.trimEnd().split('\n').map((l) => `    $ ${l}`),
      ].join('\n')
    case 'wait':
      return `${change.node}: ${change.title} (waits)`
    case 'file': {
      const head = `${change.node}: ${change.title} (${change.path}, mode ${change.mode.toString(8)})`
      const then = change.then ? `\n    then ${change.then.title}:\n${change.then.script.trimEnd().split('\n').map((l) => `    $ ${l}`).join('\n')}` : ''
      if (change.secret) return secretFileDiff(head, change) + then
      return `${head}\n${diffLines(change.path, change.before, change.content)}${then}`
    }
  }
}

/**
 * A file holding secrets is shown whole except the secret values: an operator reviewing the plan
 * must see every other line (a value injected into a handler is exactly what they look for).
 * The hashes tell whether the secret itself changes.
 */
function secretFileDiff(head: string, change: FileChange): string {
  const before = change.beforeSha256 === undefined || change.beforeSha256 === null ? 'none' : `sha256 ${change.beforeSha256.slice(0, 12)}`
  const note = `    (holds a secret, shown as <secret>; ${before} -> sha256 ${sha256(change.content).slice(0, 12)})`
  if (change.shown === undefined) return `${head}\n${note.replace('shown as <secret>', 'content not shown')}`
  const body = diffLines(change.path, change.before, change.shown)
  return `${head}\n${note}${body ? `\n${body}` : ''}`
}

function diffLines(path: string, before: string | null, after: string): string {
  const patch = createTwoFilesPatch(before === null ? '/dev/null' : path, path, before ?? '', after, '', '', {context: 3})
  const body = patch.split('\n').slice(2).filter((l) => l !== '\\ No newline at end of file')
  return body.map((l) => `    ${l}`).join('\n').trimEnd()
}
