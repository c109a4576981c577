/** SELinux, firewall tool, unit names and DRBD userland facts as RHEL-family nodes print them (recorded formats). */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {judgeSelinux, selinuxFact} from '../../../src/distro/selinux.js'
import {firewalldFact, firewallTool, type NftInfo, type UfwInfo} from '../../../src/distro/firewall.js'
import {allFamilyUnits, serviceUnit, serviceUnits, unitAliases} from '../../../src/distro/services.js'
import {packageNames} from '../../../src/distro/packages.js'
import {servicesFact} from '../../../src/facts/services.js'
import {installedPackagesFact} from '../../../src/facts/packages.js'
import {allFamilyNames} from '../../../src/distro/packages.js'
import {drbdModuleFact} from '../../../src/preflight/facts.js'
import {recorded} from '../../helpers/recorded.js'

const fact = <T>(f: {command: string; parse(s: string, c: number): T}, name: string): T => {
  const r = recorded('distro', name)
  assert.equal(r.command, f.command, `${name} was recorded with the current command`)
  return f.parse(r.output, r.exitCode ?? 0)
}

const needs = {nfsExports: true, clusterDaemons: false, keepalivedScriptDir: null}

describe('SELinux (getenforce, getsebool)', () => {
  it('modes and booleans', () => {
    assert.deepEqual(fact(selinuxFact, 'selinux-rocky-9.4-enforcing'), {mode: 'enforcing', booleans: {nfs_export_all_rw: true, daemons_enable_cluster_mode: false}})
    assert.deepEqual(fact(selinuxFact, 'selinux-centos-7-permissive').mode, 'permissive')
    assert.deepEqual(fact(selinuxFact, 'selinux-rhel-9.4-disabled'), {mode: 'disabled', booleans: {}})
  })

  it('enforcing stays enforcing: a boolean the stack needs that is off fails with its setsebool', () => {
    const rocky = fact(selinuxFact, 'selinux-rocky-9.4-enforcing')
    assert.deepEqual(judgeSelinux(rocky, needs), {level: 'ok', message: 'SELinux is enforcing; nfs_export_all_rw on'})
    const pacemaker = judgeSelinux(rocky, {...needs, clusterDaemons: true})
    assert.deepEqual([pacemaker.level, pacemaker.fix], ['fail', 'setsebool -P daemons_enable_cluster_mode 1'])
    const unread = judgeSelinux({mode: 'enforcing', booleans: {}}, needs)
    assert.deepEqual([unread.level, unread.fix], ['warn', 'check `getsebool nfs_export_all_rw` is on; watch for denials with `ausearch -m avc -ts recent`'])
    assert.equal(judgeSelinux(fact(selinuxFact, 'selinux-centos-7-permissive'), {...needs, clusterDaemons: true}).level, 'ok')
  })
})

describe('firewall tool', () => {
  const noUfw: UfwInfo = {installed: false, active: false, defaultIncoming: null, rules: [], vrrpBeforeRules: []}
  const nft = (tool: NftInfo['tool']): NftInfo => ({tool, tables: [], filtering: false, detail: ''})

  it('firewalld on Rocky 9 (stock public zone) decides; otherwise ufw, nftables, iptables', () => {
    const firewalld = fact(firewalldFact('eth0'), 'firewalld-rocky-9.4-public')
    assert.deepEqual([firewalld.state, firewalld.zone, firewalld.runtime?.services, firewalld.services.ssh], ['running', 'public', ['cockpit', 'dhcpv6-client', 'ssh'], {ports: ['22/tcp'], protocols: []}])
    assert.equal(firewallTool({firewalld, ufw: {...noUfw, installed: true, active: true}, nft: nft('nft')}), 'firewalld')
    const off = {state: 'absent' as const, zone: null, runtime: null, permanent: null, services: {}}
    assert.equal(firewallTool({firewalld: off, ufw: {...noUfw, installed: true, active: true}, nft: nft('nft')}), 'ufw')
    assert.equal(firewallTool({firewalld: off, ufw: noUfw, nft: nft('nft')}), 'nftables')
    assert.equal(firewallTool({firewalld: off, ufw: noUfw, nft: nft('iptables')}), 'iptables')
    assert.equal(firewallTool({firewalld: off, ufw: noUfw, nft: nft('none')}), 'none')
  })
})

describe('units and packages on EL', () => {
  it('the units asked about exist under those names on Rocky 9 (no nfs-kernel-server alias there)', () => {
    const units = allFamilyUnits(['nfs-server', 'nfs-state-users', 'keepalived'])
    const states = fact(servicesFact(units), 'services-rocky-9.4')
    assert.deepEqual(states[serviceUnit('nfs-server', 'dnf')], {active: 'inactive', enabled: 'disabled'})
    assert.ok(serviceUnits('nfs-state-users', 'dnf').every((u) => states[u].enabled === 'static'))
    assert.deepEqual(unitAliases('nfs-server', 'dnf'), [])
    assert.deepEqual(unitAliases('nfs-server', 'apt'), ['nfs-kernel-server'])
  })

  it('rpm -q answers (Rocky 9 with ELRepo DRBD): the dnf names of drbd, nfs-server and psmisc are all installed', () => {
    const installed = fact(installedPackagesFact(allFamilyNames(['drbd', 'nfs-server', 'psmisc'])), 'installed-rocky-9.4')
    assert.deepEqual(packageNames(['drbd', 'nfs-server', 'psmisc'], 'dnf').filter((p) => !installed.has(p)), [])
    assert.deepEqual(packageNames(['drbd'], 'yum'), ['drbd90-utils', 'kmod-drbd90'])
  })

  it('DRBD module and drbd-utils versions: drbd9x-utils on Rocky 9; the real drbd-utils 9.22 of the development host', () => {
    assert.deepEqual(fact(drbdModuleFact, 'drbd-module-rocky-9.4'), {version: '9.2.9', loaded: false, kernel: '5.14.0-427.13.1.el9_4.x86_64', utils: '9.28.0'})
    assert.deepEqual(fact(drbdModuleFact, 'drbd-module-debian-12-devhost').utils, '9.22.0')
    // The utils line of the command over both `drbdadm --version` outputs, through the real sed.
    const sed = drbdModuleFact.command.split('\n').find((l) => l.startsWith('drbdadm --version'))!.replace(/^drbdadm --version 2>\/dev\/null \| /, '')
    for (const [name, want] of [['drbd-module-rocky-9.4', 'utils=9.28.0\n'], ['drbd-module-debian-12-devhost', 'utils=9.22.0\n']]) {
      assert.equal(execFileSync('bash', ['--norc', '-c', sed], {input: recorded('distro', name).drbdadmVersion as string, encoding: 'utf8'}), want)
    }
  })
})
