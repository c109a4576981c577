/**
 * The step contract: read facts (one remote script per node), plan only the difference (pure),
 * apply it, then verify by reading the facts again. "Changed" means the plan held changes.
 */
import type {ClusterConfig, NodeConfig, Secrets} from '../config/schema.js'
import type {Role} from '../config/hosts.js'
import type {PackageFamily} from '../distro/family.js'
import type {FactSet} from '../facts/fact.js'
import type {Host} from '../transport/host.js'
import type {StepClock} from './clock.js'

export interface RunOptions {
  dryRun: boolean
  /** Explicit permission to destroy data that a step found (`--wipe`). Never implied. */
  wipe: boolean
  /** Answer confirmations with yes (never implies --wipe). */
  yes: boolean
  /** A person is at a terminal and can be asked. */
  interactive: boolean
  /** Do not wait for long background work (DRBD initial sync) to finish. */
  noWait: boolean
  /** `--force-distro`: the package family to assume on a distribution hapair does not support. */
  forceDistro?: PackageFamily
  /** `--limit NODE`: apply changes on this node only (both nodes are still read; pairwise steps refuse to change anything). */
  limit?: string
}

export interface StepContext {
  config: ClusterConfig
  secrets: Secrets
  options: RunOptions
  /** Parameters of this step's runbook entry (`with:`). */
  params: Record<string, unknown>
  /** The two cluster nodes, in cluster-file order (the first is the preferred primary). */
  nodes: NodeConfig[]
  /** Time for steps that wait; the system clock unless a test injects one. */
  clock?: StepClock
}

export interface FileChange {
  kind: 'file'
  node: string
  title: string
  path: string
  content: string
  mode: number
  /** Current content (null: no such file), for --dry-run diffs. */
  before: string | null
  /**
   * Holds a secret: the log shows no script, `before` is already redacted (see fileFact), and a
   * dry-run diff compares `before` with `shown`, the content with its secret values marked.
   */
  secret?: boolean
  shown?: string
  /** sha256 of the current file computed on the node (secret files: `before` is redacted). */
  beforeSha256?: string | null
  /** Checks the new file before it replaces the old one; `{}` stands for the temp file's path. */
  validate?: string
  /**
   * What must follow the file on the node (a daemon-reload, a reload), run in the same remote
   * script once it is in place: as separate changes, a run killed between the two left the new
   * file and the old daemon, and the next run, finding the file up to date, never ran the second.
   */
  then?: {title: string; script: string}
}

export interface CommandChange {
  kind: 'command'
  node: string
  title: string
  script: string
  timeoutMs?: number
  /** Names the data this destroys; the runner shows it and asks before running. */
  destroys?: string
}

export interface WaitChange {
  kind: 'wait'
  node: string
  title: string
  /** Long work watched with progress (e.g. DRBD sync). Interrupting leaves the work going; a re-run resumes waiting. */
  run(host: Host, progress: (line: string) => void, signal: AbortSignal): Promise<void>
}

export type Change = FileChange | CommandChange | WaitChange

export interface Plan {
  changes: Change[]
  /** Readable reasons: why nothing changes, or what was decided and why. */
  notes: string[]
}

export interface Step<F = any> {
  /** Dotted id used by runbooks, `--only` and `--from` (e.g. `drbd.metadata`). */
  id: string
  title: string
  /** Nodes this step reads and acts on; default: the hosts of its role. */
  nodes?(ctx: StepContext): NodeConfig[]
  /** The hosts it acts on when `nodes` is not given: the cluster nodes (default) or an LVS pool's real servers. */
  role?: Role
  /** What to read on a node: one remote call. */
  facts(ctx: StepContext, node: NodeConfig): FactSet<F>
  /**
   * Pure: the changes wanted given every node's facts. Throws RefusalError to stop with nothing
   * changed. After a change the engine also plans later steps on their stale facts, only to
   * forecast which will change (prefetch.ts), so a plan must do nothing but return.
   */
  plan(ctx: StepContext, facts: Record<string, F>): Plan
  /**
   * Why this step cannot change one node alone (`--limit`): its decisions take both nodes (which
   * side is Primary, whether both are fresh). Under --limit it may only find nothing to do.
   */
  pairwise?: string
  /** Apply node by node (in `nodes` order) instead of in parallel. */
  sequential?: boolean
  /** Extra checks on facts re-read after applying; returns problems. The re-plan must also be empty. */
  verify?(ctx: StepContext, facts: Record<string, F>): string[]
}

export const noChange = (...notes: string[]): Plan => ({changes: [], notes})
