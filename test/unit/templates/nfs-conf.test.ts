import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {testCluster} from '../../helpers/cluster.js'
import {renderNfsConfDropIn, withNfsConfBlock} from '../../../src/templates/nfs-conf.js'

const {config} = testCluster()
const STOCK = '#\n# This is a general configuration for the\n[nfsd]\n# grace-time=90\n# lease-time=90\n'

describe('NFSv4 lease/grace', () => {
  it('drop-in: an [nfsd] section with both times', () => {
    const text = renderNfsConfDropIn(config)
    assert.deepEqual(
      text.split('\n').filter((l) => l && !l.startsWith('#')),
      ['[nfsd]', 'lease-time=10', 'grace-time=10'],
    )
  })

  it('block: appended to nfs.conf, everything else kept', () => {
    const out = withNfsConfBlock(STOCK, testCluster({nfs: {leaseTime: 15, graceTime: 20}}).config)
    assert.ok(out.startsWith(STOCK))
    assert.match(out, /# BEGIN hapair[^\n]*\n\[nfsd\]\nlease-time=15\ngrace-time=20\n# END hapair\n$/)
  })

  it('block: replaced in place on a change, idempotent otherwise', () => {
    const once = withNfsConfBlock(STOCK + '[statd]\n# port=0\n', config)
    assert.equal(withNfsConfBlock(once, config), once)
    const changed = withNfsConfBlock(once, testCluster({nfs: {leaseTime: 30, graceTime: 30}}).config)
    assert.match(changed, /lease-time=30\ngrace-time=30/)
    assert.doesNotMatch(changed, /lease-time=10/)
    assert.equal(changed.match(/# BEGIN hapair/g)!.length, 1)
    assert.ok(changed.startsWith(STOCK + '[statd]\n# port=0\n'))
  })

  it('block: a missing nfs.conf gets just the block; a file without a final newline gets one', () => {
    assert.match(withNfsConfBlock(null, config), /^# BEGIN hapair/)
    assert.match(withNfsConfBlock('[general]', config), /^\[general\]\n\n# BEGIN hapair/)
  })
})
