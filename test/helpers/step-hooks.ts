/** StepHooks for running executeStep in a test: no renderer, never confirms a destroying change. */
import type {StepHooks} from '../../src/engine/execute-step.js'

export function testStepHooks(over: Partial<StepHooks> = {}): StepHooks {
  return {
    phase: () => {},
    applyNodes: async (nodes, sequential, apply) => {
      if (sequential) for (const n of nodes) await apply(n, () => {})
      else await Promise.all(nodes.map((n) => apply(n, () => {})))
    },
    confirmDestroy: async () => false,
    signal: new AbortController().signal,
    secrets: [],
    ...over,
  }
}
