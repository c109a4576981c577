import {RemoteCommandError} from '../errors.js'
import type {ExecOptions, ExecResult, Host} from './host.js'

/** Runs a script and throws a RemoteCommandError (node, command, output) when it exits non-zero. */
export async function mustRun(host: Host, script: string, opts: ExecOptions = {}): Promise<ExecResult> {
  const result = await host.run(script, opts)
  if (result.code !== 0) {
    throw new RemoteCommandError(host.node, result.label, result.code, result.stdout, result.stderr)
  }
  return result
}
