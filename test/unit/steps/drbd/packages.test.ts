import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import type {CommandChange} from '../../../../src/engine/step.js'
import {drbdPackages, MODPROBE_SCRIPT} from '../../../../src/steps/drbd/packages.js'
import {storagePackages} from '../../../../src/steps/storage/packages.js'
import {testContext} from '../../../helpers/cluster.js'
import {APT_REPOS, DEBIAN, dnfRepos, ROCKY} from '../ha-facts.js'

const repos = APT_REPOS
const kernel = (loaded: string | null) => ({hostname: 'n', loaded, available: '8.4.11', utils: loaded !== null, major: loaded ? 8 : null})

describe('drbd.packages plan', () => {
  it('installs per family (EL gets the kmod package), then loads the module, in that order per node', () => {
    const plan = drbdPackages.plan(testContext(), {
      node1: {os: DEBIAN, installed: new Set<string>(), repos, kernel: kernel(null)},
      node2: {os: ROCKY, installed: new Set<string>(), repos: dnfRepos('elrepo'), kernel: kernel(null)},
    })
    const c = plan.changes as CommandChange[]
    assert.deepEqual(c.map((x) => [x.node, x.title]), [
      ['node1', 'install drbd-utils'],
      ['node2', 'install drbd9x-utils kmod-drbd9x'],
      ['node1', 'load the drbd kernel module'],
      ['node2', 'load the drbd kernel module'],
    ])
    assert.equal(c[2].script, MODPROBE_SCRIPT)
  })

  it('installed and loaded: no change, and the note names the DRBD syntax', () => {
    const plan = drbdPackages.plan(testContext(), {
      node1: {os: DEBIAN, installed: new Set(['drbd-utils']), repos, kernel: kernel('8.4.11')},
      node2: {os: DEBIAN, installed: new Set(['drbd-utils']), repos, kernel: kernel('8.4.11')},
    })
    assert.deepEqual(plan.changes, [])
    assert.ok(plan.notes.some((n) => n === 'node1: drbd module 8.4.11 loaded (DRBD 8.4 syntax)'))
  })

  it('xfs filesystems bring xfsprogs along', () => {
    const plan = drbdPackages.plan(testContext({filesystem: {type: 'xfs', mountPoint: '/data'}}), {
      node1: {os: DEBIAN, installed: new Set(['drbd-utils']), repos, kernel: kernel('8.4.11')},
      node2: {os: DEBIAN, installed: new Set(['drbd-utils', 'xfsprogs']), repos, kernel: kernel('8.4.11')},
    })
    assert.deepEqual(plan.changes.map((c) => [c.node, c.title]), [['node1', 'install xfsprogs']])
  })

  it('storage.packages installs the partitioning tools', () => {
    const plan = storagePackages.plan(testContext(), {node1: {os: DEBIAN, installed: new Set(), repos}, node2: {os: DEBIAN, installed: new Set(['fdisk', 'parted']), repos}})
    assert.deepEqual(plan.changes.map((c) => [c.node, c.title]), [['node1', 'install fdisk parted']])
  })
})
