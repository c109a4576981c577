/** lab.json in the runtime dir: what `lab up` booted, so later commands (power-on, status) match it. */
import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import type {LabPaths} from './paths.js'
import type {Accel} from './qemu.js'

export interface LabState {
  imageHash: string
  imageDir: string
  accel: Accel
  startedAt: string
}

export function readState(paths: LabPaths): LabState | undefined {
  if (!existsSync(paths.stateFile)) return undefined
  try {
    return JSON.parse(readFileSync(paths.stateFile, 'utf8')) as LabState
  } catch {
    return undefined
  }
}

export function writeState(paths: LabPaths, state: LabState): void {
  writeFileSync(`${paths.stateFile}.tmp`, JSON.stringify(state, null, 2) + '\n')
  renameSync(`${paths.stateFile}.tmp`, paths.stateFile)
}
