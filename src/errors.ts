/**
 * Errors that carry the exit code scripts rely on (README lists them):
 * 0 success, 1 a step failed, 2 bad usage or config, 3 verification or drill failed (status: not
 * healthy), 4 degraded (status: one node unreachable, the other serving alone), 5 a drill or a
 * switchover refused to start (the cluster was not healthy, or the target already serves; nothing
 * was done), 130 interrupted.
 */
export const ExitCode = {ok: 0, stepFailed: 1, usage: 2, verifyFailed: 3, degraded: 4, refused: 5, interrupted: 130} as const

export class HapairError extends Error {
  constructor(message: string, readonly exitCode: number, readonly hint?: string) {
    super(message)
    this.name = new.target.name
  }
}

/** One thing wrong, as `--json`'s error.problems lists it. */
export interface Problem {
  message: string
  /** Where in the cluster file, e.g. `nodes[1].address`. */
  path?: string
  node?: string
  fix?: string
  line?: number
  column?: number
}

/**
 * A command finished its work and the result is a failure: the human report is already printed,
 * and under --json the result goes out as the error document's `data`, with the problems found.
 */
export class CommandFailed extends HapairError {
  constructor(message: string, exitCode: number, readonly data: unknown, readonly problems: Problem[] = [], hint?: string) {
    super(message, exitCode, hint)
  }
}

export interface ConfigProblem {
  /** Path in the cluster file, e.g. `nodes[1].address`; empty for the whole file. */
  path: string
  message: string
  fix?: string
  line?: number
  column?: number
}

/** Every problem in the cluster file at once; raised before any SSH connection. */
export class ConfigError extends HapairError {
  constructor(readonly file: string, readonly problems: ConfigProblem[]) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
        problems
          .map((p) => {
            const where = p.path || '(file)'
            const pos = p.line ? ` (line ${p.line}${p.column ? `, column ${p.column}` : ''})` : ''
            return `  ${where}${pos}: ${p.message}${p.fix ? `\n    fix: ${p.fix}` : ''}`
          })
          .join('\n'),
      ExitCode.usage,
    )
  }
}

export class UsageError extends HapairError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint)
  }
}

/** A remote command exited non-zero: says which node, which step, which command, and what it printed. */
export class RemoteCommandError extends HapairError {
  constructor(
    readonly node: string,
    readonly label: string,
    readonly code: number,
    readonly stdout: string,
    readonly stderr: string,
    public step?: string,
  ) {
    super(RemoteCommandError.describe(node, label, code, stdout, stderr, step), ExitCode.stepFailed)
  }

  static describe(node: string, label: string, code: number, stdout: string, stderr: string, step?: string): string {
    const tail = (s: string) => s.trim().split('\n').slice(-15).join('\n      ')
    const out = [stderr.trim() && `    stderr:\n      ${tail(stderr)}`, stdout.trim() && `    stdout:\n      ${tail(stdout)}`]
    return [`${node}${step ? ` [${step}]` : ''}: "${label}" exited ${code}`, ...out.filter(Boolean)].join('\n')
  }

  withStep(step: string): this {
    this.step = step
    this.message = RemoteCommandError.describe(this.node, this.label, this.code, this.stdout, this.stderr, step)
    return this
  }
}

/** SSH could not connect, or a host key did not match. */
export class ConnectError extends HapairError {
  constructor(readonly node: string, message: string, hint?: string) {
    super(`${node}: ${message}`, ExitCode.stepFailed, hint)
  }
}

/** A step refused to act because acting could lose data or break something; nothing was changed. */
export class RefusalError extends HapairError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.stepFailed, hint)
  }
}

/** After applying, the step's facts still differ from what was wanted. */
export class VerifyError extends HapairError {
  constructor(message: string) {
    super(message, ExitCode.verifyFailed)
  }
}

export class InterruptedError extends HapairError {
  constructor() {
    super('interrupted', ExitCode.interrupted)
  }
}
