/** Where a cluster file's run state lives: `.hapair/` beside it. Light on purpose: `history` needs only this. */
import {dirname, join, resolve} from 'node:path'

export function stateDirFor(configFile: string): string {
  return join(dirname(resolve(configFile)), '.hapair')
}
