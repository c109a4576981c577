/**
 * What a command that reads the run history offers when the state file is damaged: the
 * `--reset-state` flag, and at a terminal a question. Either way the file is kept aside, never
 * deleted (state-file.ts's openStateFile does the moving).
 */
import {Flags} from '@oclif/core'
import type {DamagedStateError} from '../state/state-file.js'

export const resetStateFlag = Flags.boolean({summary: 'Keep a damaged state file aside (state.json.damaged-<time>) and start a new history.', default: false})

/** At a terminal, a damaged state file is set aside only when the user says so; elsewhere never without the flag. */
export function askToSetAside(interactive: boolean): ((error: DamagedStateError) => Promise<boolean>) | undefined {
  if (!interactive) return undefined
  // @inquirer/prompts is loaded only when there is something to ask.
  return async (error) => (await import('../wizard/prompter.js')).inquirerPrompter().confirm({message: `${error.message}\nKeep it aside and start a new history?`, default: false})
}
