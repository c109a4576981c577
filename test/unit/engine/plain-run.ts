/**
 * Not a test file: runs one toy step that changes both nodes through runSteps with the plain
 * ('simple') renderer and lets it print to stdout, as a run in a pipe or CI log does. The test
 * runs this in a child process: listr2 writes to process.stdout, which the test runner owns.
 */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runSteps} from '../../../src/engine/runner.js'
import {StateFile} from '../../../src/state/state-file.js'
import {FakeHost} from '../../../src/transport/fake-host.js'
import {fileFactOutput, isPrefetch, prefetchReply, toyContext, toyStep} from './toy-step.js'

const fact = '@@hapair-fact file'
const host = (node: string) =>
  new FakeHost(node)
    .expect(isPrefetch, prefetchReply(() => fileFactOutput('value=0\n')))
    .expect("mv -f \"$tmp\" '/etc/toy.conf'", {code: 0})
    .expect(fact, {stdout: fileFactOutput('value=1\n')})
const hosts = new Map([['node1', host('node1')], ['node2', host('node2')]])
const state = new StateFile(mkdtempSync(join(tmpdir(), 'hapair-plain-')))
const run = state.beginRun({command: 'run toy', runbook: 'toy', hapairVersion: '0', clusterFile: 'hapair.yaml', clusterHash: 'x', dryRun: false})
const {params: _params, ...ctx} = toyContext()
await runSteps({entries: [{step: toyStep, params: {value: 1}}], ctx, hosts, state, run, renderer: 'simple', secrets: [], signal: new AbortController().signal})
