/**
 * The one `--json` document of a failed command (README, "JSON output"): exit 0 prints the
 * command's result itself; any other exit prints
 *   {"error": {"message", "exitCode", "hint"?, "problems"?}, "data"?}
 * where `data` is what the command found or did before it failed (status's report, preflight's
 * findings, a run's steps, the drill report). The message stands alone: JSON has no "above".
 */
import {ConfigError, type Problem} from './errors.js'

export interface JsonErrorDocument {
  error: {message: string; exitCode: number; hint?: string; problems?: Problem[]}
  data?: unknown
}

export function jsonErrorDocument(err: Error & {data?: unknown; problems?: Problem[]; hint?: string}, exitCode: number): JsonErrorDocument {
  const problems = err instanceof ConfigError ? err.problems : err.problems
  return {
    error: {
      // A ConfigError's message repeats its problems for a terminal; the document lists them once, as data.
      message: err instanceof ConfigError ? err.message.split('\n')[0] : err.message,
      exitCode,
      ...(err.hint ? {hint: err.hint} : {}),
      ...(problems?.length ? {problems} : {}),
    },
    ...(err.data === undefined ? {} : {data: err.data}),
  }
}
