/** hapair's version, from its package.json (recorded with every run and drill in the state file). */
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

export const HAPAIR_VERSION: string = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as {version: string}
).version
