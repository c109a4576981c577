/**
 * The facts scripts of the NFS and keepalived steps, run for real on this machine (they only
 * read): they must be valid bash and every section must parse. Catches quoting and marker bugs
 * that fixtures of single facts cannot.
 */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {testContext} from '../../helpers/cluster.js'
import {nfsSteps} from '../../../src/steps/nfs/index.js'
import {keepalivedSteps} from '../../../src/steps/keepalived/index.js'
import {judgeDistro} from '../../../src/distro/family.js'
import {RefusalError} from '../../../src/errors.js'
import type {OsInfo} from '../../../src/facts/os.js'

const ctx = testContext()
const linux = process.platform === 'linux' && spawnSync('bash', ['-c', 'command -v systemctl findmnt ip']).status === 0

describe('facts scripts run on this machine', {skip: linux ? false : 'needs Linux with systemctl, findmnt and ip'}, () => {
  for (const step of [...nfsSteps, ...keepalivedSteps]) {
    it(step.id, () => {
      const set = step.facts(ctx, ctx.nodes[0])
      const r = spawnSync('bash', ['-c', set.script], {encoding: 'utf8', timeout: 30_000})
      assert.equal(r.status, 0, r.stderr)
      const facts = set.parse(r.stdout) as Record<string, unknown>
      assert.ok(facts && typeof facts === 'object')
      if ('os' in facts) assert.ok(['apt', 'dnf', 'yum', 'unknown'].includes((facts.os as {family: string}).family))
      if ('services' in facts) {
        for (const s of Object.values(facts.services as Record<string, {active: string; enabled: string}>)) {
          assert.ok(s.active.length > 0 && s.enabled.length > 0)
        }
      }
      // The plan over these real facts must not throw on a supported machine; elsewhere (this
      // machine may be a container without systemd) it refuses with the distro layer's verdict.
      if (facts.os) {
        const verdict = judgeDistro(facts.os as OsInfo)
        if (verdict.ok) assert.doesNotThrow(() => step.plan(ctx, {node1: facts, node2: facts}))
        else assert.throws(() => step.plan(ctx, {node1: facts, node2: facts}), (e: Error) => e instanceof RefusalError && e.message === `node1: ${verdict.message}`)
      }
    })
  }
})
