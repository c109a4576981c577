import {test} from 'node:test'
import assert from 'node:assert/strict'
import {drbdModuleFact, identityFact, namesFact, preflightFacts} from '../../../src/preflight/facts.js'
import {selinuxFact} from '../../../src/distro/selinux.js'
import {chronyFact, timedatectlFact, timeDaemonsFact} from '../../../src/preflight/time-facts.js'
import {iptablesFiltering, nftFact, parseUfwStatus} from '../../../src/distro/firewall.js'
import {splitSections} from '../../../src/facts/fact.js'
import {recordedConfig, recordedFacts, recordedText} from './recorded.js'

/** One fact's section of a recording, as its parser receives it. */
function section(file: string, name: string): {stdout: string; code: number} {
  const s = splitSections(recordedText(file)).get(name)
  if (!s) throw new Error(`${file} has no ${name} section`)
  return s
}

test('the facts script is one script holding every probe, with both node names and the VIP interface', () => {
  const {script} = preflightFacts(recordedConfig())
  for (const name of ['identity', 'os', 'names', 'hosts', 'timedatectl', 'chrony', 'timeDaemons', 'drbd', 'firewalld', 'ufw', 'nft', 'selinux']) {
    assert.match(script, new RegExp(`@@hapair-fact ${name}\\b`))
  }
  assert.match(script, /for n in 'pfnode1' 'pfnode2'/)
  assert.match(script, /--get-zone-of-interface='eth0'/)
})

test('debian12 + firewalld (recorded): identity, os, empty name answers, hosts, chrony not yet synchronised', () => {
  const f = recordedFacts('debian12-firewalld.out')
  assert.deepEqual(f.identity, {uid: 0, sudoUser: null, epoch: 1795241092})
  // Recorded before the os fact read ID_LIKE and PID 1: those read as none and unknown (not refused).
  assert.deepEqual(f.os, {id: 'debian', idLike: [], versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', family: 'apt', packageManager: 'apt', hostname: 'pfnode1', init: 'unknown'})
  assert.deepEqual(f.names, {pfnode1: [], pfnode2: []})
  assert.equal(f.hosts.mode, 0o644)
  assert.match(f.hosts.content ?? '', /^127\.0\.0\.1\tlocalhost\n/)
  assert.deepEqual(f.timedatectl, {available: true, canNtp: true, ntp: true, synchronized: false})
  assert.deepEqual(f.chrony, {installed: true, running: true, synchronized: false})
  assert.deepEqual(f.timeDaemons, {installed: ['chrony'], active: ['chrony', 'chronyd'], container: null})
  // Recorded before the fact read drbdadm --version: no utils line.
  assert.deepEqual(f.drbd, {version: null, loaded: false, kernel: '6.18.44-fc-v595', utils: null})
  assert.deepEqual(f.selinux, {mode: 'disabled', booleans: {}})
})

test('firewalld (recorded): zone, runtime and permanent lists, service definitions', () => {
  const f = recordedFacts('debian12-firewalld.out').firewalld
  assert.equal(f.state, 'running')
  assert.equal(f.zone, 'public')
  assert.deepEqual(f.runtime, {target: 'default', interfaces: [], sources: [], services: ['dhcpv6-client', 'ssh'], ports: [], protocols: [], richRules: []})
  assert.deepEqual(f.services.ssh, {ports: ['22/tcp'], protocols: []})
  assert.deepEqual(f.services['dhcpv6-client'], {ports: ['546/udp'], protocols: []})
  const after = recordedFacts('debian12-firewalld.after-fix.out').firewalld
  assert.deepEqual(after.runtime?.ports, ['7788/tcp', '2049/tcp'])
  assert.deepEqual(after.permanent?.protocols, ['vrrp'])
})

test('firewalld with rich rules, services and a port range (recorded)', () => {
  const f = recordedFacts('debian12-firewalld-rich.out').firewalld
  assert.deepEqual(f.runtime?.richRules, ['rule protocol value="vrrp" accept', 'rule family="ipv4" source address="192.0.2.12" port port="7788" protocol="tcp" accept'])
  assert.deepEqual(f.permanent?.richRules, ['rule family="ipv4" source address="192.0.2.0/24" port port="7788" protocol="tcp" accept', 'rule protocol value="vrrp" accept'])
  assert.deepEqual(f.runtime?.ports, ['5404-5406/udp'])
  assert.deepEqual(f.runtime?.services, ['dhcpv6-client', 'high-availability', 'nfs', 'ssh'])
  assert.deepEqual(f.permanent?.services, ['dhcpv6-client', 'nfs', 'ssh'])
  assert.deepEqual(f.services.nfs, {ports: ['2049/tcp'], protocols: []})
  assert.deepEqual(f.services['high-availability'].ports, ['2224/tcp', '3121/tcp', '5403/tcp', '5404/udp', '5405-5412/udp', '9929/tcp', '9929/udp', '21064/tcp'])
})

test('ufw active (recorded): default policy, rules in order, v6 twins marked, comments dropped', () => {
  const f = recordedFacts('debian12-ufw.after-fix.out').ufw
  assert.equal(f.installed, true)
  assert.equal(f.active, true)
  assert.equal(f.defaultIncoming, 'deny')
  assert.deepEqual(f.rules, [
    {to: '22/tcp', action: 'ALLOW', direction: 'IN', from: 'Anywhere', v6: false},
    {to: '7788/tcp', action: 'ALLOW', direction: 'IN', from: '192.0.2.12', v6: false},
    {to: '2049/tcp', action: 'ALLOW', direction: 'IN', from: '192.0.2.0/24', v6: false},
    {to: '22/tcp', action: 'ALLOW', direction: 'IN', from: 'Anywhere', v6: true},
  ])
  assert.deepEqual(f.vrrpBeforeRules, [])
  // firewalld was stopped for this recording; the DRBD module of Debian's 6.1 kernel was on disk.
  const all = recordedFacts('debian12-ufw.out')
  assert.equal(all.firewalld.state, 'not running')
  assert.deepEqual(all.drbd, {version: '8.4.11', loaded: false, kernel: '6.18.44-fc-v595', utils: null})
})

test('ufw rule forms (recorded): deny, ranges, lists, interface, address, limit, reject, source port, before.rules VRRP', () => {
  const f = recordedFacts('debian12-ufw-rules.out').ufw
  const v4 = f.rules.filter((r) => !r.v6).map((r) => `${r.to} | ${r.action} ${r.direction} | ${r.from}`)
  assert.deepEqual(v4, [
    '2049/tcp | DENY IN | 192.0.2.99',
    '22/tcp | ALLOW IN | Anywhere',
    '7788/tcp | ALLOW IN | 192.0.2.12',
    '2049/tcp | ALLOW IN | 192.0.2.0/24',
    '5404:5406/udp | ALLOW IN | Anywhere',
    '80,443/tcp | ALLOW IN | Anywhere',
    '224.0.0.18 on eth0 | ALLOW IN | Anywhere',
    'Anywhere | ALLOW IN | 192.0.2.12',
    '2222/tcp | LIMIT IN | Anywhere',
    '6000/tcp | REJECT IN | Anywhere',
    '694/udp | ALLOW IN | 192.0.2.12 5000/udp',
    '192.0.2.100 80/tcp | ALLOW IN | Anywhere',
  ])
  assert.deepEqual(f.vrrpBeforeRules, ['-A ufw-before-input -p vrrp -s 192.0.2.12 -j ACCEPT'])
})

test('ufw inactive (recorded) and ufw not installed', () => {
  const f = recordedFacts('debian12-firewalld.out').ufw
  assert.deepEqual(f, {installed: true, active: false, defaultIncoming: null, rules: [], vrrpBeforeRules: []})
  assert.deepEqual(parseUfwStatus('Status: inactive\n'), {active: false, defaultIncoming: null, rules: []})
})

test('nftables (recorded): a hand-made input policy drop, the tables firewalld and ufw make, an empty rule set', () => {
  assert.equal(recordedFacts('debian12-nft-drop.out').nft.filtering, true)
  assert.equal(recordedFacts('debian12-nft-drop.out').nft.detail, 'nftables drops incoming traffic in inet filter chain input')
  // firewalld's and ufw's own tables filter too (evaluation reads firewalld or ufw first, and nft only without them).
  assert.deepEqual(recordedFacts('debian12-firewalld.out').nft, {tool: 'nft', tables: ['inet firewalld'], filtering: true, detail: 'nftables drops incoming traffic in inet firewalld chain filter_INPUT'})
  assert.deepEqual(recordedFacts('debian12-ufw.out').nft, {tool: 'nft', tables: ['ip filter', 'ip6 filter'], filtering: true, detail: 'nftables drops incoming traffic in ip filter chain INPUT, ip6 filter chain INPUT'})
  assert.deepEqual(recordedFacts('debian12-nft-drop.out').nft.tables, ['inet filter'])
  const empty = recordedFacts('debian12-timesyncd-container.out').nft
  assert.deepEqual(empty, {tool: 'nft', tables: [], filtering: false, detail: 'no nftables input chain drops traffic'})
})

test('nft unreadable and iptables fallbacks', () => {
  assert.deepEqual(nftFact.parse('@nft\nnetlink: Error: cache initialization failed: Operation not permitted', 1), {
    tool: 'nft',
    tables: [],
    filtering: null,
    detail: 'could not read the rule set: netlink: Error: cache initialization failed: Operation not permitted',
  })
  assert.deepEqual(nftFact.parse('@none', 0), {tool: 'none', tables: [], filtering: false, detail: 'neither nft nor iptables is installed'})
  // iptables -S as recorded on the development host (no rules).
  assert.equal(iptablesFiltering('-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n').filtering, false)
  assert.deepEqual(iptablesFiltering('-P INPUT DROP\n-P FORWARD ACCEPT\n'), {filtering: true, detail: 'iptables INPUT policy is DROP'})
  assert.equal(iptablesFiltering('-P INPUT ACCEPT\n-A INPUT -p tcp --dport 7788 -j REJECT\n').filtering, true)
})

test('timesyncd in a container (recorded): CanNTP but off, timesyncd installed, nspawn detected', () => {
  const f = recordedFacts('debian12-timesyncd-container.out')
  assert.deepEqual(f.timedatectl, {available: true, canNtp: true, ntp: false, synchronized: false})
  assert.deepEqual(f.chrony, {installed: false, running: false, synchronized: false})
  assert.deepEqual(f.timeDaemons, {installed: ['timesyncd'], active: [], container: 'systemd-nspawn'})
})

test('a host without systemd (recorded): timedatectl and chronyc cannot answer, docker detected', () => {
  const f = recordedFacts('devhost-no-systemd.out')
  assert.equal(f.timedatectl.available, false)
  assert.equal(f.timedatectl.error, 'System has not been booted with systemd as init system (PID 1). Can\'t operate.')
  assert.deepEqual(f.chrony, {installed: true, running: false, synchronized: false})
  assert.deepEqual(f.timeDaemons, {installed: ['chrony'], active: [], container: 'docker'})
  assert.equal(f.os.hostname, 'vm')
  assert.equal(f.firewalld.state, 'not running')
})

test('timedatectl status (recorded, Debian 12) and the systemd 219 wording', () => {
  const status = timedatectlFact.parse(recordedText('timedatectl-status-debian12.txt'), 0)
  assert.deepEqual(status, {available: true, canNtp: true, ntp: false, synchronized: false})
  // EL7's systemd 219 prints these two lines (format from its timedatectl status).
  assert.deepEqual(timedatectlFact.parse('      Time zone: UTC (UTC, +0000)\n     NTP enabled: yes\nNTP synchronized: yes\n', 0), {available: true, canNtp: true, ntp: true, synchronized: true})
  assert.deepEqual(timedatectlFact.parse('absent\n', 0).available, false)
})

test('chrony: synchronised, not running', () => {
  assert.deepEqual(chronyFact.parse(section('debian12-firewalld.out', 'chrony').stdout, 0), {installed: true, running: true, synchronized: false})
  assert.deepEqual(chronyFact.parse('Reference ID    : C0A80101 (192.168.1.1)\nStratum         : 3\nLeap status     : Normal\n', 0).synchronized, true)
  assert.deepEqual(chronyFact.parse('506 Cannot talk to daemon\n', 1), {installed: true, running: false, synchronized: false})
})

test('names: several answers kept in order without duplicates; other lines ignored', () => {
  const names = namesFact(['pfnode1', 'pfnode2']).parse(section('debian12-hosts-conflict.block-added.out', 'names').stdout, 0)
  assert.deepEqual(names, {pfnode1: ['127.0.1.1', '192.0.2.11'], pfnode2: ['192.0.2.12', '10.9.9.9']})
  assert.deepEqual(namesFact(['a']).parse('name a\n::1\n10.0.0.1\n10.0.0.1\n', 0), {a: ['10.0.0.1']})
})

test('identity through sudo; DRBD loaded (from /proc/drbd); SELinux modes', () => {
  assert.deepEqual(identityFact.parse('uid=0\nsudo_user=deploy\nepoch=1700000000\n', 0), {uid: 0, sudoUser: 'deploy', epoch: 1700000000})
  // /proc/drbd's first line as DRBD 8.4 prints it (the host kernel here has no DRBD to record from).
  assert.deepEqual(drbdModuleFact.parse('kernel=6.1.0-56-amd64\nmodinfo=\nloaded=yes\nproc=version: 8.4.11 (api:1/proto:86-101)\n', 0), {version: '8.4.11', loaded: true, kernel: '6.1.0-56-amd64', utils: null})
  assert.deepEqual(selinuxFact.parse('Permissive\n', 0), {mode: 'permissive', booleans: {}})
  assert.deepEqual(selinuxFact.parse('absent\n', 0), {mode: 'absent', booleans: {}})
})

test('time daemons: units and binaries', () => {
  const t = timeDaemonsFact.parse(section('debian12-firewalld.out', 'timeDaemons').stdout, 0)
  assert.deepEqual(t.active, ['chrony', 'chronyd'])
})
