import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {exportfsFact, nfsConfFact, nfsStateFact, parseExportfs} from '../../../src/facts/nfs.js'
import {recorded} from '../../helpers/recorded.js'

describe('exportfsFact (recorded, nfs-utils 2.6.2)', () => {
  it('parses wrapped long paths, one-line short paths, <world> and a path with a space', () => {
    const r = recorded('nfs', 'exportfs-v')
    assert.equal(r.command, exportfsFact.command)
    const {available, entries} = exportfsFact.parse(r.output, r.exitCode ?? 0)
    assert.equal(available, true)
    const base = String(r.exportsFile).split('\n')[1].split(' ')[0].replace(/\/x$/, '')
    const by = (suffix: string) => entries.filter((e) => e.path === base + suffix || e.path === suffix)
    assert.equal(entries.length, 6)
    assert.deepEqual(by('/srv/hx').map((e) => [e.client, e.options.includes('fsid=42'), e.options.includes('no_root_squash')]), [['192.0.2.0/24', true, true]])
    assert.deepEqual(by('/a-very-long-export-path-name-for-wrapping').map((e) => e.client), ['10.0.0.1', '10.0.0.2'])
    assert.ok(by('/a-very-long-export-path-name-for-wrapping')[0].options.includes('ro'))
    assert.deepEqual(by('/data').map((e) => e.client), ['*'])
    assert.deepEqual(by('/with space').map((e) => e.client), ['10.1.0.0/16'])
  })

  it('nothing exported: no entries', () => {
    const r = recorded('nfs', 'exportfs-v-empty')
    assert.deepEqual(exportfsFact.parse(r.output, r.exitCode ?? 0), {available: true, entries: []})
  })

  it('no exportfs: not available', () => {
    assert.deepEqual(exportfsFact.parse('', 127), {available: false, entries: []})
  })

  it('ignores lines that are not entries', () => {
    assert.deepEqual(parseExportfs('exportfs: something odd\n'), [])
  })
})

describe('nfsConfFact (recorded)', () => {
  it('stock nfs.conf: no lease/grace set', () => {
    const r = recorded('nfs', 'nfsconf-stock')
    assert.equal(r.command, nfsConfFact.command)
    assert.deepEqual(nfsConfFact.parse(r.output, 0), {dropInDir: true, nfsconf: true, leaseTime: null, graceTime: null})
  })
  it("hapair's drop-in is read", () => {
    assert.deepEqual(nfsConfFact.parse(recorded('nfs', 'nfsconf-dropin').output, 0), {dropInDir: true, nfsconf: true, leaseTime: 10, graceTime: 10})
  })
  it("hapair's block at the end of nfs.conf is read", () => {
    const f = nfsConfFact.parse(recorded('nfs', 'nfsconf-block').output, 0)
    assert.equal(f.leaseTime, 15)
    assert.equal(f.graceTime, 20)
  })
})

describe('nfsStateFact (recorded with a loop filesystem)', () => {
  for (const [name, want] of [
    ['state-unmounted', {mounted: false, bound: false}],
    ['state-mounted', {mounted: true, bound: false}],
    ['state-bound', {mounted: true, bound: true}],
  ] as const) {
    it(name, () => {
      const r = recorded('nfs', name)
      const fact = nfsStateFact(String(r.mountPoint))
      assert.equal(r.command, fact.command)
      const s = fact.parse(r.output, 0)
      assert.equal(s.mountedSource, want.mounted ? r.device : null)
      assert.equal(s.stateBound, want.bound)
    })
  }
})
