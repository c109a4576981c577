/**
 * What every runbook-running command does: validate, connect, run the steps, report. The
 * commands themselves (run, partition, drbd-init, ha-install) only choose the runbook.
 */
import {Flags} from '@oclif/core'
import {hostKeyFlags, yesFlag} from '../base-command.js'
import {stdout} from 'node:process'
import {HAPAIR_VERSION} from './version.js'
import {chooseRenderer} from './renderer.js'
import {readRunbook, selectBy, type RunbookFile, type RunbookLine} from './runbook-file.js'
import type {ClusterConfig} from '../config/schema.js'
import {allHosts} from '../config/hosts.js'
import type {RunSummary} from './runner.js'
import {withSession} from './session.js'
import type {Connector} from '../transport/connect-all.js'
import {forceDistroFlag} from '../base-command.js'
import type {PackageFamily} from '../distro/family.js'
import {askToSetAside, resetStateFlag} from './reset-state.js'
import {UsageError} from '../errors.js'

/**
 * Every runbook command's flags. The others only where a command's runbook can use them (each
 * advertised flag does something): --wipe and --yes where a step may destroy data (wipeFlags),
 * --no-wait where the DRBD initial sync is waited for (syncFlags).
 */
export const runbookFlags = {
  ...hostKeyFlags,
  'dry-run': Flags.boolean({char: 'n', summary: 'Show the plan (commands and file diffs) and change nothing.', default: false}),
  only: Flags.string({summary: 'Run only these steps (comma-separated ids).', delimiter: ',', multiple: true}),
  from: Flags.string({summary: 'Start at this step id.'}),
  limit: Flags.string({
    summary: 'Apply changes on this node only; both nodes are still read. Steps whose decisions take both nodes (DRBD metadata, initial primary and sync, mkfs) refuse if they have anything to do.',
  }),
  ...forceDistroFlag,
  'reset-state': resetStateFlag,
}

/** For commands whose runbook may hold a step that destroys data (partition, mkfs, DRBD metadata); --yes answers its confirmation. */
export const wipeFlags = {
  ...yesFlag,
  wipe: Flags.boolean({summary: 'Allow destroying data a step finds in its way (named before anything is lost).', default: false}),
}

/** For commands whose runbook may hold the DRBD initial sync (drbd-init, and run with any runbook). */
export const syncFlags = {
  'no-wait': Flags.boolean({summary: 'Do not wait for the DRBD initial sync to finish.', default: false}),
}

export interface RunbookCommandInput {
  command: string
  /** A runbook name, or one chosen from the cluster file (ha-install picks by stack). */
  runbook: string | ((config: ClusterConfig) => string)
  configFile: string
  flags: {'dry-run': boolean; 'reset-state': boolean; wipe?: boolean; 'no-wait'?: boolean; only?: string[]; from?: string; limit?: string; 'force-distro'?: PackageFamily; yes?: boolean; 'accept-new-host-keys': boolean}
  json: boolean
  interactive: boolean
  /** Human output (stdout); silent under --json. */
  print: (text: string) => void
  /** For tests: a fake host per cluster host instead of SSH. */
  connector?: Connector
}

export async function runRunbookCommand(input: RunbookCommandInput): Promise<RunSummary & {runbook: string}> {
  let runbook!: RunbookFile
  let lines!: RunbookLine[]
  const controller = new AbortController()
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130)
    controller.abort()
  }
  process.on('SIGINT', onSigint)
  try {
    return await withSession(
      {configFile: input.configFile, command: input.command, acceptNewHostKeys: input.flags['accept-new-host-keys'], interactive: input.interactive, lock: true,
        openState: {reset: input.flags['reset-state'], confirm: askToSetAside(input.interactive), notice: input.print},
        beforeConnect: ({config}) => {
          // Checked before any connection; the steps themselves are loaded after (resolveRunbook).
          runbook = readRunbook(typeof input.runbook === 'string' ? input.runbook : input.runbook(config))
          lines = selectBy(runbook.lines, (l) => l.id, {only: input.flags.only, from: input.flags.from})
          const {limit} = input.flags
          if (limit !== undefined && !allHosts(config).some((n) => n.name === limit)) {
            throw new UsageError(`--limit ${limit}: no such node in the cluster file`, `use one of: ${allHosts(config).map((n) => n.name).join(', ')}`)
          }
        },
      },
      async (session) => {
        // The steps, listr2 and the prompts are loaded once the connections are up (start-up cost: README, Benchmarks).
        const [{runSteps}, {formatSummary}, {resolveRunbook}] = await Promise.all([import('./runner.js'), import('./format-summary.js'), import('./runbook.js')])
        const {entries} = resolveRunbook({...runbook, lines})
        const {config, secrets, hash, file} = session.cluster
        const previous = session.state.unfinished()
        if (previous && !input.json) {
          const failedAt = previous.steps.at(-1)?.id
          // We hold the lock, so a run still marked running cannot be running: its process died.
          const ended = previous.status === 'running' ? 'was abandoned (process gone)' : `ended ${previous.status}`
          input.print(`Last run (${previous.command}) ${ended}${failedAt ? ` at ${failedAt}` : ''}: earlier steps are re-checked, not redone.`)
        }
        const run = session.state.beginRun({command: input.command, runbook: runbook.name, hapairVersion: HAPAIR_VERSION, clusterFile: file, clusterHash: hash, dryRun: input.flags['dry-run']})
        const summary = await runSteps({
          entries,
          ctx: {
            config,
            secrets,
            nodes: config.nodes,
            options: {dryRun: input.flags['dry-run'], wipe: input.flags.wipe ?? false, yes: input.flags.yes ?? false, interactive: input.interactive, noWait: input.flags['no-wait'] ?? false, forceDistro: input.flags['force-distro'], limit: input.flags.limit},
          },
          hosts: session.hosts,
          state: session.state,
          run,
          renderer: chooseRenderer({json: input.json, stdoutIsTTY: Boolean(stdout.isTTY), env: process.env}),
          secrets: session.secrets,
          signal: controller.signal,
        })
        if (!input.json) input.print(formatSummary(summary, input.flags['dry-run']))
        return {...summary, runbook: runbook.name}
      },
      input.connector,
    )
  } finally {
    process.off('SIGINT', onSigint)
  }
}
