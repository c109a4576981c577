import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {missingRepos, repoFor, repolistFact} from '../../../src/distro/repos.js'
import {osFact} from '../../../src/facts/os.js'
import {configPath} from '../../../src/distro/paths.js'
import {recorded} from '../../helpers/recorded.js'

const repolist = (name: string) => {
  const r = recorded('distro', `repolist-${name}`)
  assert.equal(r.command, repolistFact.command)
  return repolistFact.parse(r.output, r.exitCode ?? 0)
}
const os = (name: string) => osFact.parse(recorded('distro', `os-${name}`).output, 0)

describe('repolist fact', () => {
  it('dnf and yum tables (recorded formats): the id column, without yum\'s /releasever/basearch, marks and total', () => {
    assert.deepEqual(repolist('rocky-9.4-default'), {tool: 'dnf', enabled: ['appstream', 'baseos', 'extras']})
    assert.deepEqual(repolist('rocky-9.4-elrepo-ha').enabled, ['appstream', 'baseos', 'elrepo', 'extras', 'highavailability'])
    assert.deepEqual(repolist('almalinux-8.10-ha').enabled, ['appstream', 'baseos', 'extras', 'ha'])
    assert.deepEqual(repolist('rhel-9.4-subscribed').enabled, ['rhel-9-for-x86_64-appstream-rpms', 'rhel-9-for-x86_64-baseos-rpms'])
    assert.deepEqual(repolist('centos-7-yum'), {tool: 'yum', enabled: ['base', 'elrepo', 'extras', 'updates']})
    assert.deepEqual(repolist('debian-12'), {tool: null, enabled: []})
  })
})

describe('repositories a package needs', () => {
  it('DRBD from ELRepo (its key and release rpm per EL major), pacemaker from HighAvailability (id per release), nothing on apt', () => {
    assert.equal(repoFor('kmod-drbd9x', os('rocky-9.4'))?.enable, 'rpm --import https://www.elrepo.org/RPM-GPG-KEY-v2-elrepo.org && dnf install -y https://www.elrepo.org/elrepo-release-9.el9.elrepo.noarch.rpm')
    assert.equal(repoFor('drbd90-utils', os('centos-7'))?.enable, 'rpm --import https://www.elrepo.org/RPM-GPG-KEY-elrepo.org && yum install -y https://www.elrepo.org/elrepo-release-7.el7.elrepo.noarch.rpm')
    assert.equal(repoFor('pcs', os('rocky-9.4'))?.enable, 'dnf config-manager --set-enabled highavailability')
    assert.equal(repoFor('pacemaker', os('almalinux-8.10'))?.enable, 'dnf config-manager --set-enabled ha')
    assert.equal(repoFor('corosync', os('rhel-9.4'))?.enable, 'subscription-manager repos --enable=rhel-9-for-$(arch)-highavailability-rpms')
    assert.equal(repoFor('pacemaker', os('centos-7')), undefined, 'CentOS 7 has pacemaker in base')
    assert.equal(repoFor('nfs-utils', os('rocky-9.4')), undefined)
    assert.equal(repoFor('drbd-utils', os('debian-12')), undefined)
  })

  it('missing repositories are grouped with the packages that need them; enabled ones (recorded repolists) are not', () => {
    const missing = missingRepos(['drbd9x-utils', 'kmod-drbd9x', 'pacemaker', 'pcs', 'nfs-utils'], os('rocky-9.4'), repolist('rocky-9.4-default'))
    assert.deepEqual(missing.map((m) => [m.repo.name, m.packages]), [['ELRepo', ['drbd9x-utils', 'kmod-drbd9x']], ['HighAvailability', ['pacemaker', 'pcs']]])
    assert.deepEqual(missingRepos(['drbd9x-utils', 'pacemaker'], os('rocky-9.4'), repolist('rocky-9.4-elrepo-ha')), [])
    assert.deepEqual(missingRepos(['pacemaker'], os('almalinux-8.10'), repolist('almalinux-8.10-ha')), [])
    assert.deepEqual(missingRepos(['kmod-drbd90'], os('centos-7'), repolist('centos-7-yum')), [])
    const rhel = missingRepos(['pcs'], os('rhel-9.4'), repolist('rhel-9.4-subscribed'))
    assert.deepEqual(rhel.map((m) => m.repo.name), ['the RHEL High Availability add-on'])
    assert.equal(rhel[0].repo.enabled(['rhel-9-for-aarch64-highavailability-rpms']), true)
  })
})

describe('config paths by family', () => {
  it('keepalived options in /etc/default or /etc/sysconfig; NFS server settings in nfs.conf, except EL 7', () => {
    assert.deepEqual(['apt', 'dnf', 'yum'].map((f) => configPath('keepalived-options', f as 'apt')), ['/etc/default/keepalived', '/etc/sysconfig/keepalived', '/etc/sysconfig/keepalived'])
    assert.deepEqual(['apt', 'dnf', 'yum'].map((f) => configPath('nfs-server-config', f as 'apt')), ['/etc/nfs.conf', '/etc/nfs.conf', '/etc/sysconfig/nfs'])
  })
})
