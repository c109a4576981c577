/**
 * Whether hapair colours its output. chalk decides from the terminal alone and ignores NO_COLOR
 * (https://no-color.org), so an operator's NO_COLOR=1 still got red "error:" and coloured
 * preflight levels and drill verdicts at a terminal. One decision here, applied to chalk's
 * shared instance before a command runs; listr2 and oclif's own messages honour NO_COLOR already.
 */
import chalk from 'chalk'

/**
 * NO_COLOR set to any non-empty value, --no-color among the arguments, or FORCE_COLOR=0 (chalk's
 * and supports-color's spelling of "never") turns colour off.
 */
export function colorRefused(env: NodeJS.ProcessEnv, argv: readonly string[]): boolean {
  return Boolean(env.NO_COLOR) || argv.includes('--no-color') || env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false'
}

/**
 * listr2 colours through colorette, which reads the environment when it loads (after this runs:
 * commands load listr2 when they use it) and takes any FORCE_COLOR, even "0", as "always": the
 * refusal is written back as NO_COLOR for it, and FORCE_COLOR dropped.
 */
export function applyColorChoice(env: NodeJS.ProcessEnv, argv: readonly string[]): void {
  if (!colorRefused(env, argv)) return
  chalk.level = 0
  env.NO_COLOR = '1'
  delete env.FORCE_COLOR
}
