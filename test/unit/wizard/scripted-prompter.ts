/**
 * A Prompter that answers from a script, strictly in order: each question must match the next
 * entry's pattern, every answer must pass the question's own validation, and unused entries fail
 * the test (`done()`). `DEFAULT` accepts whatever default the wizard offered.
 */
import assert from 'node:assert/strict'
import {InterruptedError} from '../../../src/errors.js'
import type {Choice, Prompter} from '../../../src/wizard/prompter.js'

export const DEFAULT = Symbol('default')
/** Ctrl-C at this question: the prompter throws as @inquirer's does (via prompter.ts). */
export const CTRL_C = Symbol('ctrl-c')
/** An answer the question's validation must refuse with a reason matching `why`; the next entry answers the same question again. */
export interface Refused {
  refused: string
  why: RegExp
}
export const refused = (value: string, why: RegExp): Refused => ({refused: value, why})
export type Answer = string | boolean | typeof DEFAULT | typeof CTRL_C | Refused

export class ScriptedPrompter implements Prompter {
  readonly said: string[] = []
  /** The reasons given for refused answers, in order. */
  readonly refusals: string[] = []
  readonly asked: {message: string; default?: unknown; choices?: Choice<string>[]}[] = []
  private readonly script: [RegExp, Answer][]

  constructor(script: [RegExp, Answer][]) {
    this.script = [...script]
  }

  private next(message: string): Answer {
    const entry = this.script.shift()
    assert.ok(entry, `unexpected question: "${message}"`)
    assert.match(message, entry[0], `question out of order`)
    if (entry[1] === CTRL_C) throw new InterruptedError()
    return entry[1]
  }

  async input(q: {message: string; default?: string; validate?: (value: string) => true | string}): Promise<string> {
    this.asked.push({message: q.message, default: q.default})
    let answer = this.next(q.message)
    // As at the terminal: a refused answer shows the reason and the same question stays open.
    while (typeof answer === 'object') {
      const verdict = q.validate ? q.validate(answer.refused) : true
      assert.notEqual(verdict, true, `"${answer.refused}" to "${q.message}" was accepted; it should have been refused`)
      assert.match(String(verdict), answer.why)
      this.refusals.push(String(verdict))
      answer = this.next(q.message)
    }
    const value = answer === DEFAULT ? (q.default ?? '') : String(answer)
    const verdict = q.validate ? q.validate(value) : true
    assert.equal(verdict, true, `answer "${value}" to "${q.message}" was rejected: ${verdict}`)
    return value
  }

  async select<T extends string>(q: {message: string; choices: Choice<T>[]; default?: T}): Promise<T> {
    this.asked.push({message: q.message, default: q.default, choices: q.choices})
    const answer = this.next(q.message)
    const value = (answer === DEFAULT ? q.default : answer) as T
    const choice = q.choices.find((c) => c.value === value)
    assert.ok(choice, `"${String(value)}" is not a choice of "${q.message}"`)
    assert.ok(!choice.disabled, `"${value}" is disabled: ${choice.disabled}`)
    return value
  }

  async confirm(q: {message: string; default?: boolean}): Promise<boolean> {
    this.asked.push({message: q.message, default: q.default})
    const answer = this.next(q.message)
    return answer === DEFAULT ? Boolean(q.default) : Boolean(answer)
  }

  async password(q: {message: string}): Promise<string> {
    this.asked.push({message: q.message})
    return String(this.next(q.message))
  }

  say(text: string): void {
    this.said.push(text)
  }

  done(): void {
    assert.deepEqual(this.script.map(([re]) => String(re)), [], 'questions the wizard never asked')
  }
}
