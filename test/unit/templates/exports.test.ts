import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {testCluster} from '../../helpers/cluster.js'
import {EXPORTS_PATH, exportFsid, exportOptions, mountpointOption, renderExports} from '../../../src/templates/exports.js'

const lines = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'))

describe('renderExports', () => {
  it('lives in a file hapair owns, marked as managed', () => {
    assert.equal(EXPORTS_PATH, '/etc/exports.d/hapair.exports')
    assert.match(renderExports(testCluster().config), /^# managed by hapair/)
  })

  it("writes the user's options plus no_subtree_check, a stable fsid and the mount-point guard", () => {
    const text = renderExports(testCluster().config)
    assert.deepEqual(lines(text), [`/data 192.168.77.0/24(rw,sync,no_root_squash,no_subtree_check,fsid=${exportFsid('/data')},mp)`])
  })

  it("keeps the user's own subtree_check, fsid and mountpoint", () => {
    assert.deepEqual(exportOptions({path: '/data', clients: '*', options: ['ro', 'subtree_check', 'fsid=7']}), ['ro', 'subtree_check', 'fsid=7'])
    assert.deepEqual(exportOptions({path: '/data', clients: '*', options: ['ro', 'mountpoint=/data']}, '/data'), ['ro', 'mountpoint=/data', 'no_subtree_check', `fsid=${exportFsid('/data')}`])
    assert.deepEqual(exportOptions({path: '/data/a', clients: '*', options: ['mp']}, '/data'), ['mp', 'no_subtree_check', `fsid=${exportFsid('/data/a')}`])
  })

  it('exports only while the replicated filesystem is mounted: bare mp at the mount point, mp=MOUNT below it', () => {
    assert.equal(mountpointOption('/data', '/data'), 'mp')
    assert.equal(mountpointOption('/data/pub', '/data'), 'mp=/data')
    assert.equal(mountpointOption('/srv/my share/x', '/srv/my share'), undefined, 'an option value cannot hold a space')
    assert.equal(mountpointOption('/data', undefined), undefined)
  })

  it('one line per path; every client of a path shares its fsid; several clients in one entry', () => {
    const {config} = testCluster({
      nfs: {
        exports: [
          {path: '/data', clients: '192.168.77.0/24', options: ['rw', 'sync', 'fsid=9']},
          {path: '/data/pub', clients: '10.0.0.1 10.0.0.2', options: ['ro']},
          {path: '/data', clients: '10.9.9.9', options: ['ro']},
        ],
      },
    })
    assert.deepEqual(lines(renderExports(config)), [
      '/data 192.168.77.0/24(rw,sync,fsid=9,no_subtree_check,mp) 10.9.9.9(ro,no_subtree_check,fsid=9,mp)',
      `/data/pub 10.0.0.1(ro,no_subtree_check,fsid=${exportFsid('/data/pub')},mp=/data) 10.0.0.2(ro,no_subtree_check,fsid=${exportFsid('/data/pub')},mp=/data)`,
    ])
  })

  it('quotes a path with a space', () => {
    const {config} = testCluster({nfs: {exports: [{path: '/data/my share', clients: '*'}]}})
    assert.match(lines(renderExports(config))[0], /^"\/data\/my share" \*\(/)
  })

  it('fsid: stable per path, never 0 (the NFSv4 root), independent of order', () => {
    assert.equal(exportFsid('/data'), exportFsid('/data'))
    assert.notEqual(exportFsid('/data'), exportFsid('/data/pub'))
    for (const p of ['/', '/data', '/a', '/srv/nfs']) assert.ok(exportFsid(p) > 0 && exportFsid(p) <= 0x7fffffff)
    const a = testCluster({nfs: {exports: [{path: '/data/a', clients: '*'}, {path: '/data/b', clients: '*'}]}}).config
    const b = testCluster({nfs: {exports: [{path: '/data/b', clients: '*'}, {path: '/data/a', clients: '*'}]}}).config
    const fsidOf = (text: string, path: string) => lines(text).find((l) => l.startsWith(path + ' '))!.match(/fsid=(\d+)/)![1]
    assert.equal(fsidOf(renderExports(a), '/data/a'), fsidOf(renderExports(b), '/data/a'))
  })
})
