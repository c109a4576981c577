/** One preflight verdict: what was checked where, how it stands, and how to put it right. */

export type Level = 'ok' | 'warn' | 'fail'

/** What `--fix` would do about a finding; fixes.ts turns these into Changes. */
export type Repair =
  /** Write hapair's block of node names into /etc/hosts. */
  | {kind: 'hosts'}
  /** Switch time sync on. */
  | {kind: 'timesync'; title: string; script: string}
  /** Open one need in the firewall (firewall-cmd or ufw commands). */
  | {kind: 'firewall'; label: string; commands: string[]}

export interface Finding {
  /** A node name, or 'cluster' for checks that compare the two nodes. */
  node: string
  check: string
  level: Level
  message: string
  /** What the operator can do; a command where there is one. */
  fix?: string
  /** `hapair preflight --fix` repairs this (only what is safe: hosts entries, firewall openings, time sync). */
  fixable?: boolean
  repair?: Repair
}

/** A node whose facts could not be read (SSH or sudo failed): only its ssh finding is reported. */
export interface Unreachable {
  unreachable: string
  hint?: string
}

export const LEVEL_ORDER: Record<Level, number> = {ok: 0, warn: 1, fail: 2}
