import {RemoteCommandError} from '../errors.js'
import type {Host} from '../transport/host.js'
import type {AppliedChange} from '../state/state-file.js'
import {fileWriteScript} from './change-script.js'
import {sha256} from './redact.js'
import type {Change} from './step.js'

export interface ApplyHooks {
  progress(line: string): void
  signal: AbortSignal
}

/** Applies one change on its node; throws RemoteCommandError (node, command, output) on failure. */
export async function applyChange(host: Host, change: Change, hooks: ApplyHooks): Promise<AppliedChange> {
  const started = Date.now()
  if (change.kind === 'wait') {
    await change.run(host, hooks.progress, hooks.signal)
    return {kind: 'wait', title: change.title, durationMs: Date.now() - started}
  }
  const script = change.kind === 'file' ? fileWriteScript(change) : change.script
  const label = change.kind === 'file' ? `write ${change.path}` : change.title
  const result = await host.run(script, {
    label,
    timeoutMs: change.kind === 'command' ? change.timeoutMs : undefined,
    sensitive: change.kind === 'file' && change.secret,
  })
  if (result.code !== 0) throw new RemoteCommandError(host.node, label, result.code, result.stdout, result.stderr)
  const applied: AppliedChange = {kind: change.kind, title: change.title, code: result.code, durationMs: Date.now() - started}
  if (change.kind === 'file') {
    applied.path = change.path
    applied.sha256Before = change.beforeSha256 !== undefined ? change.beforeSha256 : change.before === null ? null : sha256(change.before)
    applied.sha256After = sha256(change.content)
  }
  return applied
}
