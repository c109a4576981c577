import assert from 'node:assert/strict'
import {test} from 'node:test'
import {parseNfsUrl, prefixesLongestFirst, relativeTo} from '../../../../src/drills/nfs3/url.js'

test('drill URLs: host and normalised path; only version 3', () => {
  assert.deepEqual(parseNfsUrl('nfs://192.168.77.100/data/.hapair-drill/run1/rec-000001?version=3'), {host: '192.168.77.100', path: '/data/.hapair-drill/run1/rec-000001'})
  assert.deepEqual(parseNfsUrl('nfs://nas.example//data//x/'), {host: 'nas.example', path: '/data/x'})
  assert.deepEqual(parseNfsUrl('nfs://[fd00::1]/data/a%20b'), {host: 'fd00::1', path: '/data/a b'})
  assert.throws(() => parseNfsUrl('nfs://10.0.0.1/data?version=4'), /NFS version 3 only/)
  assert.throws(() => parseNfsUrl('http://10.0.0.1/data'), /not an NFS URL/)
  // URL parsing itself resolves dot segments (then the export check decides); an encoded slash is refused
  assert.deepEqual(parseNfsUrl('nfs://10.0.0.1/data/%2e%2e/etc'), {host: '10.0.0.1', path: '/etc'})
  assert.throws(() => parseNfsUrl('nfs://10.0.0.1/data/a%2Fb'), /must not contain/)
})

test('paths below an export, and where an export may start', () => {
  assert.deepEqual(relativeTo('/data', '/data/.hapair-drill/r1'), ['.hapair-drill', 'r1'])
  assert.deepEqual(relativeTo('/data/', '/data'), [])
  assert.deepEqual(relativeTo('/', '/data'), ['data'])
  assert.equal(relativeTo('/data', '/database/x'), undefined)
  assert.deepEqual(prefixesLongestFirst('/data/a/b'), ['/data/a/b', '/data/a', '/data', '/'])
})
