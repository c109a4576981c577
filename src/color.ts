/**
 * Whether hapair colours its output. chalk decides from the terminal alone and ignores NO_COLOR
 * (https://no-color.org), so an operator's NO_COLOR=1 still got red "error:" and coloured
 * preflight levels and drill verdicts at a terminal. One decision here, applied to chalk's
 * shared instance before a command runs; listr2 and oclif's own messages honour NO_COLOR already.
 */
import chalk from 'chalk'

/** NO_COLOR set to any non-empty value, or --no-color among the arguments, turns colour off. */
export function colorRefused(env: NodeJS.ProcessEnv, argv: readonly string[]): boolean {
  return Boolean(env.NO_COLOR) || argv.includes('--no-color')
}

export function applyColorChoice(env: NodeJS.ProcessEnv, argv: readonly string[]): void {
  if (colorRefused(env, argv)) chalk.level = 0
}
