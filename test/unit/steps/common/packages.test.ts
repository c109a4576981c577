/** packagesStep plans from recorded facts of other distributions: facts -> plan. */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {planPackages} from '../../../../src/steps/common/packages.js'
import {drbdPackages} from '../../../../src/steps/drbd/packages.js'
import {osFact} from '../../../../src/facts/os.js'
import {repolistFact} from '../../../../src/distro/repos.js'
import {RefusalError} from '../../../../src/errors.js'
import type {CommandChange} from '../../../../src/engine/step.js'
import {testContext} from '../../../helpers/cluster.js'
import {recorded} from '../../../helpers/recorded.js'

const os = (name: string) => osFact.parse(recorded('distro', `os-${name}`).output, 0)
const repos = (name: string) => repolistFact.parse(recorded('distro', `repolist-${name}`).output, 0)
const none = new Set<string>()

describe('packages plan on other families', () => {
  it('a repository the node has not enabled: refused before anything is installed, with the command that enables it, for every node', () => {
    const facts = {
      node1: {os: os('rocky-9.4'), installed: none, repos: repos('rocky-9.4-default')},
      node2: {os: os('rhel-9.4'), installed: none, repos: repos('rhel-9.4-subscribed')},
    }
    assert.throws(
      () => planPackages(testContext(), facts, ['drbd', 'pacemaker', 'pcs']),
      (e: Error) =>
        e instanceof RefusalError &&
        e.message ===
          'node1: drbd9x-utils, kmod-drbd9x come from ELRepo, which is not enabled\n' +
            'node1: pacemaker, corosync, resource-agents, pcs come from HighAvailability, which is not enabled\n' +
            'node2: drbd9x-utils, kmod-drbd9x come from ELRepo, which is not enabled\n' +
            'node2: pacemaker, corosync, resource-agents, pcs come from the RHEL High Availability add-on, which is not enabled' &&
        e.hint ===
          'enable the repositories, then run again: on node1: rpm --import https://www.elrepo.org/RPM-GPG-KEY-v2-elrepo.org && dnf install -y https://www.elrepo.org/elrepo-release-9.el9.elrepo.noarch.rpm; ' +
            'on node1: dnf config-manager --set-enabled highavailability; ' +
            'on node2: rpm --import https://www.elrepo.org/RPM-GPG-KEY-v2-elrepo.org && dnf install -y https://www.elrepo.org/elrepo-release-9.el9.elrepo.noarch.rpm; ' +
            'on node2: subscription-manager repos --enable=rhel-9-for-$(arch)-highavailability-rpms',
    )
  })

  it('repositories enabled: dnf installs on Rocky 9, yum the EL 7 names on CentOS 7', () => {
    const plan = planPackages(testContext(), {
      node1: {os: os('rocky-9.4'), installed: new Set(['nfs-utils']), repos: repos('rocky-9.4-elrepo-ha')},
      node2: {os: os('centos-7'), installed: none, repos: repos('centos-7-yum')},
    }, ['drbd', 'nfs-server'])
    assert.deepEqual((plan.changes as CommandChange[]).map((c) => [c.node, c.script]), [
      ['node1', 'dnf install -y drbd9x-utils kmod-drbd9x'],
      ['node2', 'yum install -y drbd90-utils kmod-drbd90 nfs-utils'],
    ])
  })

  it('Debian 12 and Ubuntu 24.04 as before: apt, no repository asked about', () => {
    const plan = planPackages(testContext(), {
      node1: {os: os('debian-12'), installed: none, repos: repos('debian-12')},
      node2: {os: os('ubuntu-24.04'), installed: new Set(['drbd-utils']), repos: repos('debian-12')},
    }, ['drbd'])
    assert.deepEqual(plan.changes.map((c) => [c.node, c.title]), [['node1', 'install drbd-utils']])
    assert.deepEqual(plan.notes, ['node2: drbd-utils already installed'])
  })

  it('an unsupported distribution is refused by the distro judge, or installed as the forced family', () => {
    const facts = {node1: {os: os('centos-stream-9'), installed: none, repos: repos('rocky-9.4-default')}, node2: {os: os('rocky-9.4'), installed: new Set(['drbd9x-utils', 'kmod-drbd9x']), repos: repos('rocky-9.4-default')}}
    assert.throws(() => planPackages(testContext(), facts, ['drbd']), (e: Error) => e instanceof RefusalError && /^node1: CentOS Stream 9 \(ID=centos VERSION_ID=9 ID_LIKE="rhel fedora"\) is not a supported distribution$/.test(e.message) && /--force-distro dnf/.test((e as RefusalError).hint ?? ''))
    // Forced: the repository of an unknown release cannot be named, so dnf is left to say what it lacks.
    const forced = planPackages(testContext({}, {options: {forceDistro: 'dnf'}}), facts, ['drbd'])
    assert.deepEqual(forced.changes.map((c) => [c.node, c.title]), [['node1', 'install drbd9x-utils kmod-drbd9x']])
  })

  it('heartbeat on the RHEL family: refused on every such node, pointing to the pacemaker stack; Debian installs it', () => {
    const facts = {
      node1: {os: os('rocky-9.4'), installed: none, repos: repos('rocky-9.4-elrepo-ha')},
      node2: {os: os('centos-7'), installed: none, repos: repos('centos-7-yum')},
    }
    assert.throws(
      () => planPackages(testContext(), facts, ['heartbeat']),
      (e: Error) =>
        e instanceof RefusalError &&
        /^node1: heartbeat cannot be installed on Rocky Linux 9\.4 \(Blue Onyx\): RHEL, AlmaLinux, Rocky and CentOS ship no heartbeat package .*use the pacemaker stack there \(`stack: pacemaker`\)/.test(e.message) &&
        /\nnode2: heartbeat cannot be installed on CentOS Linux 7/.test(e.message) &&
        e.hint === undefined,
    )
    const debian = planPackages(testContext(), {node1: {os: os('debian-12'), installed: none, repos: repos('debian-12')}, node2: {os: os('debian-12'), installed: new Set(['heartbeat', 'resource-agents']), repos: repos('debian-12')}}, ['heartbeat'])
    assert.deepEqual(debian.changes.map((c) => [c.node, c.title]), [['node1', 'install heartbeat resource-agents']])
  })

  it('drbd.packages reads the repositories in the same one remote call as its other facts', () => {
    const script = drbdPackages.facts(testContext(), testContext().nodes[0]).script
    assert.match(script, /@@hapair-fact repos'\n\( if command -v dnf/)
    assert.match(script, /@@hapair-fact kernel'/)
  })
})
