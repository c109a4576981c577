/**
 * The questions the wizard asks, behind a small interface: @inquirer/prompts at a terminal, a
 * scripted prompter in tests. Ctrl-C becomes an InterruptedError (exit 130), not a stack trace.
 */
import {confirm, input, password, select} from '@inquirer/prompts'
import {InterruptedError} from '../errors.js'

export interface Choice<T extends string> {
  value: T
  name?: string
  description?: string
  /** Shown but not selectable; the text says why. */
  disabled?: string
}

export interface Prompter {
  input(q: {message: string; default?: string; validate?: (value: string) => true | string}): Promise<string>
  select<T extends string>(q: {message: string; choices: Choice<T>[]; default?: T}): Promise<T>
  confirm(q: {message: string; default?: boolean}): Promise<boolean>
  password(q: {message: string}): Promise<string>
  /** A line of information between questions. */
  say(text: string): void
}

export function inquirerPrompter(out: (text: string) => void = (t) => process.stderr.write(`${t}\n`)): Prompter {
  return {
    input: (q) => interruptible(input({message: q.message, default: q.default, validate: q.validate})),
    select: (q) => interruptible(select({message: q.message, choices: q.choices, default: q.default, pageSize: 12})),
    confirm: (q) => interruptible(confirm({message: q.message, default: q.default})),
    password: (q) => interruptible(password({message: q.message, mask: '*'})),
    say: out,
  }
}

async function interruptible<T>(prompt: Promise<T>): Promise<T> {
  try {
    return await prompt
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') throw new InterruptedError()
    throw error
  }
}
