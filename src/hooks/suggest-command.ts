/**
 * `command_not_found`, beside @oclif/plugin-not-found: that plugin offers its "Did you mean …?"
 * only as a question at a terminal and, in a pipe or CI log, names no command at all. This hook
 * fills that gap: without a terminal it prints the nearest command (space-separated, as typed).
 */
import {toConfiguredId, type Hook} from '@oclif/core'
import {didYouMean} from '../config/did-you-mean.js'

export function suggestCommand(id: string, commandIds: readonly string[]): string | undefined {
  return didYouMean(id, commandIds)
}

const hook: Hook.CommandNotFound = async function (opts) {
  if (process.stdin.isTTY) return // the plugin asks, and runs the answer
  const visible = opts.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases])
  const suggestion = suggestCommand(opts.id, visible)
  if (suggestion) process.stderr.write(`${opts.config.bin} ${toConfiguredId(opts.id, opts.config)}: did you mean "${opts.config.bin} ${toConfiguredId(suggestion, opts.config)}"?\n`)
}

export default hook
