/**
 * Shared flags and the one place thrown errors become exit codes and readable messages
 * (stderr), or a JSON error document under --json.
 */
import {Command, Flags} from '@oclif/core'
import chalk from 'chalk'
import {HapairError} from './errors.js'
import {PACKAGE_FAMILIES, type PackageFamily} from './distro/family.js'

/** Shared by the runbook commands and preflight: they are the ones that judge a node's distribution. */
export const forceDistroFlag = {
  'force-distro': Flags.custom<PackageFamily>({
    summary: 'On a distribution hapair does not support, go on as this package family (apt, dnf or yum), at your own risk.',
    options: [...PACKAGE_FAMILIES],
    helpGroup: 'GLOBAL',
  })(),
}

export abstract class BaseCommand extends Command {
  static enableJsonFlag = true

  static baseFlags = {
    config: Flags.string({char: 'c', summary: 'Cluster file.', default: 'hapair.yaml', env: 'HAPAIR_CONFIG', helpGroup: 'GLOBAL'}),
    yes: Flags.boolean({char: 'y', summary: 'Answer yes to confirmations (never implies --wipe).', default: false, helpGroup: 'GLOBAL'}),
    'accept-new-host-keys': Flags.boolean({
      summary: 'Trust and record host keys not yet in known_hosts (a changed key is always refused).',
      default: false,
      helpGroup: 'GLOBAL',
    }),
  }

  /** A person can be asked: both ends are terminals and this is not CI. */
  protected get interactive(): boolean {
    return Boolean(process.stdin.isTTY && process.stdout.isTTY && !process.env.CI)
  }

  protected async catch(err: Error & {exitCode?: number; summary?: unknown; oclif?: {exit?: number}}): Promise<any> {
    // oclif's own parse and exit errors already carry their exit code and message.
    if (!(err instanceof HapairError) && err.oclif?.exit !== undefined) throw err
    const exitCode = err instanceof HapairError ? err.exitCode : (err.exitCode ?? 1)
    const hint = err instanceof HapairError ? err.hint : undefined
    if (this.jsonEnabled()) {
      this.logJson({error: {message: err.message, exitCode, ...(hint ? {hint} : {}), ...(err.summary ? {summary: err.summary} : {})}})
    } else {
      process.stderr.write(`${chalk.red('error:')} ${err.message}\n${hint ? `${chalk.dim('hint:')} ${hint}\n` : ''}`)
      if (!(err instanceof HapairError) && process.env.HAPAIR_DEBUG) process.stderr.write(`${err.stack}\n`)
    }
    this.exit(exitCode)
  }
}
