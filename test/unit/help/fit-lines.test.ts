import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {fitLines, visibleLength} from '../../../src/help/fit-lines.js'

describe('fitLines', () => {
  it('leaves lines that fit alone', () => {
    assert.equal(fitLines('short\n  also short', 20), 'short\n  also short')
  })

  it('wraps prose at spaces, keeping the indent', () => {
    assert.equal(fitLines('  one two three four five', 14), '  one two\n  three four\n  five')
  })

  it('breaks an example command with shell continuations, so it still pastes as one command', () => {
    const out = fitLines('  $ hapair init --yes --node1 name=node1 --node2 name=node2', 30)
    assert.equal(out, '  $ hapair init --yes \\\n      --node1 name=node1 \\\n      --node2 name=node2')
    for (const line of out.split('\n')) assert.ok(line.length <= 30, line)
  })

  it('measures without colour codes, and never cuts a word longer than the width', () => {
    assert.equal(visibleLength('\x1b[31merror:\x1b[39m'), 6)
    assert.equal(fitLines('a-very-long-word b', 5), 'a-very-long-word\nb')
  })
})
