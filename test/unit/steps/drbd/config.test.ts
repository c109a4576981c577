import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import type {FileChange} from '../../../../src/engine/step.js'
import {RefusalError} from '../../../../src/errors.js'
import type {FileInfo} from '../../../../src/facts/file.js'
import {drbdConfig, includesDrbdD} from '../../../../src/steps/drbd/config.js'
import {DRBD_SECRET_KEYS, drbdResourceConf, globalCommonConf} from '../../../../src/templates/drbd.js'
import {testContext} from '../../../helpers/cluster.js'
import {secretFile} from '../../../helpers/secret-file.js'
import {drbdFacts} from './drbd-facts.js'

const DEBIAN_DRBD_CONF = '# You can find an example in  /usr/share/doc/drbd.../drbd.conf.example\n\ninclude "drbd.d/global_common.conf";\ninclude "drbd.d/*.res";\n'
const missing: FileInfo = {exists: false, content: null, mode: null}
const file = (content: string, mode = 0o644): FileInfo => ({exists: true, content, mode})

function facts(node: string, o: {loaded?: string; hostname?: string; res?: FileInfo; global?: FileInfo; conf?: FileInfo} = {}) {
  const d = drbdFacts(node, {loaded: o.loaded})
  return {
    kernel: {hostname: o.hostname ?? node, loaded: d.loaded, available: d.available, utils: true, major: d.major},
    drbdConf: o.conf ?? file(DEBIAN_DRBD_CONF),
    globalCommon: o.global ?? file('global { usage-count yes; }\n'),
    resource: o.res ?? missing,
  }
}

describe('drbd.config plan', () => {
  const ctx = testContext()

  it('writes identical files on both nodes: global_common (validated) and the resource file (secret, 0600, validated)', () => {
    const plan = drbdConfig.plan(ctx, {node1: facts('node1'), node2: facts('node2')})
    const files = plan.changes as FileChange[]
    assert.deepEqual(files.map((f) => [f.node, f.path]), [
      ['node1', '/etc/drbd.d/global_common.conf'],
      ['node1', '/etc/drbd.d/r0.res'],
      ['node2', '/etc/drbd.d/global_common.conf'],
      ['node2', '/etc/drbd.d/r0.res'],
    ])
    const [g1, r1, g2, r2] = files
    assert.equal(r1.content, r2.content)
    assert.equal(g1.content, g2.content)
    assert.equal(r1.content, drbdResourceConf(ctx.config, ctx.secrets, 8))
    assert.equal(r1.secret, true)
    assert.equal(r1.mode, 0o600)
    assert.equal(r1.validate, 'drbdadm -c {} dump r0 >/dev/null')
    assert.equal(g1.validate, 'drbdadm -c {} dump all >/dev/null')
    assert.equal(g1.before, 'global { usage-count yes; }\n')
    assert.ok(plan.notes.some((n) => /identical on both nodes/.test(n)))
  })

  it('converged: the files already hold exactly that: no change', () => {
    const res = secretFile(drbdResourceConf(ctx.config, ctx.secrets, 8), 0o600, DRBD_SECRET_KEYS)
    const global = file(globalCommonConf(ctx.config))
    const plan = drbdConfig.plan(ctx, {node1: facts('node1', {res, global}), node2: facts('node2', {res, global})})
    assert.deepEqual(plan.changes, [])
    assert.match(plan.notes[0], /already in place/)
  })

  it('a changed secret or mode is a change', () => {
    const content = drbdResourceConf(ctx.config, ctx.secrets, 8)
    const res = secretFile(content, 0o644, DRBD_SECRET_KEYS)
    const global = file(globalCommonConf(ctx.config))
    const oldSecret = secretFile(content.replace('tEsT', 'oLd'), 0o600, DRBD_SECRET_KEYS)
    // The redacted texts are equal: only the node's hash tells the secret changed.
    assert.equal(oldSecret.content, secretFile(content, 0o600, DRBD_SECRET_KEYS).content)
    const plan = drbdConfig.plan(ctx, {node1: facts('node1', {res, global}), node2: facts('node2', {res: oldSecret, global})})
    assert.deepEqual(plan.changes.map((c) => c.node), ['node1', 'node2'])
  })

  it('DRBD 9 modules get the 9 file', () => {
    const plan = drbdConfig.plan(ctx, {node1: facts('node1', {loaded: '9.2.8'}), node2: facts('node2', {loaded: '9.2.8'})})
    assert.match((plan.changes[1] as FileChange).content, /node-id 0;/)
  })

  it('refuses mixed major versions, a host name that is not the node name, and a missing module', () => {
    assert.throws(() => drbdConfig.plan(ctx, {node1: facts('node1'), node2: facts('node2', {loaded: '9.2.8'})}), (e: unknown) => e instanceof RefusalError && /different DRBD major versions \(node1 8\.4\.11, node2 9\.2\.8\)/.test(e.message))
    assert.throws(() => drbdConfig.plan(ctx, {node1: facts('node1', {hostname: 'debian'}), node2: facts('node2')}), /node1: `uname -n` says "debian"/)
    const noModule = {...facts('node2'), kernel: {hostname: 'node2', loaded: null, available: null, utils: true, major: null}}
    assert.throws(() => drbdConfig.plan(ctx, {node1: facts('node1'), node2: noModule}), /node2: no drbd kernel module/)
  })

  it('rewrites a drbd.conf that does not include drbd.d/*.res (seed 004 commented global_common out)', () => {
    const seed = file('#include "drbd.d/global_common.conf";\n    include "drbd.d/*.res";\n    include "drbd.d/*.cfg";\n')
    const plan = drbdConfig.plan(ctx, {node1: facts('node1', {conf: seed}), node2: facts('node2', {conf: missing})})
    assert.deepEqual(plan.changes.filter((c) => c.kind === 'file' && c.path === '/etc/drbd.conf').map((c) => c.node), ['node1', 'node2'])
    assert.equal(includesDrbdD(DEBIAN_DRBD_CONF), true)
    assert.equal(includesDrbdD(seed.content), false)
  })
})
