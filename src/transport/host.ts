/**
 * The one seam between hapair and a machine. Steps only ever see a Host, so step logic is tested
 * against a recording fake and proven against real sshd in the lab.
 */
export interface ExecOptions {
  /** Short human name of what runs, used in logs and errors (e.g. "drbdadm create-md r0"). */
  label?: string
  /** Kill the command and fail after this long. Default: the host's command timeout. */
  timeoutMs?: number
  /** Streamed stdout, for progress of long work. */
  onStdout?: (chunk: string) => void
  /** The script carries secrets that masking cannot catch (e.g. base64 file content): the run log keeps only its label. */
  sensitive?: boolean
}

export interface ExecResult {
  node: string
  label: string
  code: number
  stdout: string
  stderr: string
  durationMs: number
}

export interface Host {
  /** The node's name in the cluster file. */
  readonly node: string
  readonly address: string
  /**
   * Runs a bash script (fed to `bash -s` on stdin, as root: through `sudo -n` for other users).
   * Resolves with the exit code; never rejects for a non-zero exit (use `mustRun` for that).
   * Rejects only when the transport fails or the timeout passes.
   */
  run(script: string, opts?: ExecOptions): Promise<ExecResult>
  close(): Promise<void>
}

/** The strict header every script gets, so a failing pipe stage fails the script. */
export const SCRIPT_HEADER = 'set -euo pipefail\nexport LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n'

/**
 * What goes down the channel: the header and the script inside one brace group. bash reads a
 * compound command whole before it runs any of it, so a script cut short on the way (hapair
 * killed mid-send, a connection lost) is a syntax error that runs nothing, never its first half.
 */
export function wholeScript(script: string): string {
  return `{\n${SCRIPT_HEADER}${script}\n}\n`
}

/** The label of a script run without one: its first meaningful line, shortened. */
export function labelOf(script: string, opts: ExecOptions = {}): string {
  if (opts.label) return opts.label
  const first = script.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('#') && !l.startsWith('set ')) ?? ''
  return first.length > 60 ? `${first.slice(0, 57)}...` : first || '(empty script)'
}
