/**
 * Fingerprints taken when a suite saved a checkpoint, kept for a later suite file (each file
 * runs in its own node process) to compare a restore against.
 */
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {PairFingerprint} from './pair-fingerprint.js'

const file = (checkpoint: string) => join(tmpdir(), 'hapair-lab-suite', `${checkpoint}.fingerprint.json`)

export function saveSuiteFingerprint(checkpoint: string, fingerprint: PairFingerprint): void {
  mkdirSync(join(tmpdir(), 'hapair-lab-suite'), {recursive: true})
  writeFileSync(file(checkpoint), JSON.stringify(fingerprint, null, 2))
}

export function readSuiteFingerprint(checkpoint: string): PairFingerprint | undefined {
  return existsSync(file(checkpoint)) ? (JSON.parse(readFileSync(file(checkpoint), 'utf8')) as PairFingerprint) : undefined
}
