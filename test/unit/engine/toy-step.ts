/** A small real step for engine tests: keeps /etc/toy.conf holding `value=<params.value>`. */
import {factSet} from '../../../src/facts/fact.js'
import {fileFact} from '../../../src/facts/file.js'
import {planFile} from '../../../src/steps/common/plan-file.js'
import type {Change, Step, StepContext, RunOptions} from '../../../src/engine/step.js'
import {testContext} from '../../helpers/cluster.js'

export const toyStep: Step = {
  id: 'toy.file',
  title: 'Toy file',
  facts: () => factSet({file: fileFact('/etc/toy.conf')}),
  plan(ctx, facts) {
    const changes: Change[] = []
    for (const node of ctx.nodes) {
      const c = planFile(node.name, facts[node.name].file, {path: '/etc/toy.conf', content: `value=${String(ctx.params.value)}\n`, mode: 0o644})
      if (c) changes.push(c)
    }
    return {changes, notes: changes.length ? [] : ['toy.conf already right']}
  },
}

/** A StepContext over the shared test cluster, with this step's params and run options. */
export function toyContext(params: Record<string, unknown> = {value: 1}, o: Partial<RunOptions> = {}): StepContext {
  return testContext({}, {params, options: o})
}

/** What fileFact prints for a file (mode + base64), as a node would answer. */
export function fileFactOutput(content: string | null, mode = '644'): string {
  const body = content === null ? 'missing\n' : `${mode}\n${Buffer.from(content).toString('base64')}\n`
  return `@@hapair-fact file\n${body}@@hapair-fact-rc 0\n`
}
