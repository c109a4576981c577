/** Loads the preflight recordings (test/fixtures/recorded/preflight: real output, see its README). */
import {readFileSync} from 'node:fs'
import {parseClusterText} from '../../../src/config/load.js'
import type {ClusterConfig} from '../../../src/config/schema.js'
import {preflightFacts, type PreflightFacts} from '../../../src/preflight/facts.js'

const dir = new URL('../../../../test/fixtures/recorded/preflight/', import.meta.url)

export function recordedText(file: string): string {
  return readFileSync(new URL(file, dir), 'utf8')
}

/** The cluster file the recordings were made with (pfnode1 recorded; stack keepalived). */
export function recordedConfig(overrides: Record<string, unknown> = {}): ClusterConfig {
  const base = parseClusterText(recordedText('hapair.yaml'))
  if (!base.config) throw new Error(JSON.stringify(base.problems))
  if (Object.keys(overrides).length === 0) return base.config
  // Re-validate with the overrides so defaults and cross-checks apply as they would for a real file.
  const {config, problems} = parseClusterText(JSON.stringify({...base.config, ...overrides}))
  if (!config) throw new Error(JSON.stringify(problems))
  return config
}

/** A recording parsed by the real facts parser. */
export function recordedFacts(file: string, config = recordedConfig()): PreflightFacts {
  return preflightFacts(config).parse(recordedText(file))
}

/**
 * The same recording standing in for the other node: only who it is changes (hostname, clock).
 * Both nodes of the recording set-up were the same machine image.
 */
export function asPeer(facts: PreflightFacts, hostname = 'pfnode2'): PreflightFacts {
  return {...facts, os: {...facts.os, hostname}}
}
