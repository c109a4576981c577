/**
 * Shared flags and the one place thrown errors become exit codes and readable messages
 * (stderr), or a JSON error document under --json.
 */
import {Command, Flags} from '@oclif/core'
import chalk from 'chalk'
import {applyColorChoice} from './color.js'
import {HapairError} from './errors.js'
import {PACKAGE_FAMILIES, type PackageFamily} from './distro/family.js'
import {jsonErrorDocument} from './json-error.js'

/** Shared by the runbook commands and preflight: they are the ones that judge a node's distribution. */
export const forceDistroFlag = {
  'force-distro': Flags.custom<PackageFamily>({
    summary: 'On a distribution hapair does not support, go on as this package family (apt, dnf or yum), at your own risk.',
    options: [...PACKAGE_FAMILIES],
    helpGroup: 'GLOBAL',
  })(),
}

/** Every command, the lab's too: read in init() (before parsing, so parse errors are plain too); declared so it is accepted and listed. */
export const noColorFlag = {
  'no-color': Flags.boolean({summary: 'No colours in the output (as NO_COLOR=1 does).', default: false, helpGroup: 'GLOBAL'}),
}

/** For commands that connect to the nodes. */
export const hostKeyFlags = {
  'accept-new-host-keys': Flags.boolean({
    summary: 'Trust and record host keys not yet in known_hosts (a changed key is always refused).',
    default: false,
    helpGroup: 'GLOBAL',
  }),
}

/** For commands that ask before acting. */
export const yesFlag = {
  yes: Flags.boolean({char: 'y', summary: 'Answer yes to confirmations (never implies --wipe).', default: false, helpGroup: 'GLOBAL'}),
}

export abstract class BaseCommand extends Command {
  static enableJsonFlag = true

  /** Flags every command uses. Flags only some commands use are the exported sets below, spread by those commands. */
  static baseFlags = {
    config: Flags.string({char: 'c', summary: 'Cluster file.', default: 'hapair.yaml', env: 'HAPAIR_CONFIG', helpGroup: 'GLOBAL'}),
    ...noColorFlag,
  }

  async init(): Promise<void> {
    applyColorChoice(process.env, this.argv)
    await super.init()
  }

  /** A person can be asked: both ends are terminals and this is not CI. */
  protected get interactive(): boolean {
    return Boolean(process.stdin.isTTY && process.stdout.isTTY && !process.env.CI)
  }

  protected async catch(err: Error & {exitCode?: number; data?: unknown; oclif?: {exit?: number}}): Promise<any> {
    // oclif's own parse and exit errors already carry their exit code and message.
    if (!(err instanceof HapairError) && err.oclif?.exit !== undefined) throw err
    const exitCode = err instanceof HapairError ? err.exitCode : (err.exitCode ?? 1)
    const hint = err instanceof HapairError ? err.hint : undefined
    if (this.jsonEnabled()) {
      this.logJson(jsonErrorDocument(err, exitCode))
    } else {
      this.logToStderr(`${chalk.red('error:')} ${err.message}${hint ? `\n${chalk.dim('hint:')} ${hint}` : ''}`)
      if (!(err instanceof HapairError) && process.env.HAPAIR_DEBUG) process.stderr.write(`${err.stack}\n`)
    }
    this.exit(exitCode)
  }
}
