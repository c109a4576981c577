/**
 * Loads `{command, output, fact}` fixtures from test/fixtures/recorded/<area>/<name>.json.
 * Tests run compiled from dist/test/..., so the path is resolved from the repository root.
 */
import {readFileSync, readdirSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {dirname, join} from 'node:path'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..')
export const RECORDED_DIR = join(ROOT, 'test/fixtures/recorded')

export interface Recorded {
  /** "recorded" (real tool output) or "docs" (written from the tool's print format until the lab records it). */
  source: 'recorded' | 'docs'
  note?: string
  command: string
  exitCode?: number
  output: string
  fact?: any
  [key: string]: unknown
}

export function recorded(area: string, name: string): Recorded {
  return JSON.parse(readFileSync(join(RECORDED_DIR, area, `${name}.json`), 'utf8'))
}

export function recordedNames(area: string): string[] {
  return readdirSync(join(RECORDED_DIR, area))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
}
