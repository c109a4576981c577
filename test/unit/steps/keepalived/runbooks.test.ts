import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {parse} from 'yaml'
import {loadRunbook, RUNBOOK_DIR} from '../../../../src/engine/runbook.js'

describe('runbooks of the keepalived stack', () => {
  it('ha-keepalived: NFS first, scripts before the config that names them, the service last', () => {
    const rb = loadRunbook('ha-keepalived')
    assert.deepEqual(
      rb.entries.map((e) => e.step.id),
      ['nfs.packages', 'nfs.config', 'nfs.boot', 'keepalived.packages', 'keepalived.scripts', 'keepalived.config', 'keepalived.service'],
    )
    assert.ok(rb.summary.length > 0)
  })

  it('nfs-keepalived: partition, drbd-init, then ha-keepalived', () => {
    const doc = parse(readFileSync(join(RUNBOOK_DIR, 'nfs-keepalived.yaml'), 'utf8')) as {name: string; steps: unknown[]}
    assert.equal(doc.name, 'nfs-keepalived')
    assert.deepEqual(doc.steps, [{include: 'partition'}, {include: 'drbd-init'}, {include: 'ha-keepalived'}])
  })
})
