/** Human-readable plans for --dry-run: the commands and unified diffs of every file. */
import {createTwoFilesPatch} from 'diff'
import {sha256} from './redact.js'
import type {Change} from './step.js'

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
      if (change.secret) {
        const before = change.before === null ? 'none' : `sha256 ${sha256(change.before).slice(0, 12)}`
        return `${head}\n    (holds a secret: content not shown; ${before} -> sha256 ${sha256(change.content).slice(0, 12)})`
      }
      const patch = createTwoFilesPatch(
        change.before === null ? '/dev/null' : change.path,
        change.path,
        change.before ?? '',
        change.content,
        '',
        '',
        {context: 3},
      )
      const body = patch.split('\n').slice(2).filter((l) => l !== '\\ No newline at end of file')
      return `${head}\n${body.map((l) => `    ${l}`).join('\n').trimEnd()}`
    }
  }
}
