import {test} from 'node:test'
import assert from 'node:assert/strict'
import {drbdModuleFix, evaluate, hostsNameFor} from '../../../src/preflight/evaluate.js'
import type {PreflightFacts} from '../../../src/preflight/facts.js'
import type {Finding} from '../../../src/preflight/finding.js'
import {asPeer, recordedConfig, recordedFacts} from './recorded.js'

/** Both nodes answer with the same recording (the peer under its own name). */
function both(file: string, config = recordedConfig(), edit: (f: PreflightFacts) => PreflightFacts = (f) => f) {
  const f = edit(recordedFacts(file, config))
  return {pfnode1: f, pfnode2: asPeer(f)}
}

const on = (findings: Finding[], node: string, check: string) => findings.filter((f) => f.node === node && f.check === check)
const one = (findings: Finding[], node: string, check: string) => {
  const found = on(findings, node, check)
  assert.equal(found.length, 1, `${node} ${check}: ${JSON.stringify(found)}`)
  return found[0]
}
const levels = (findings: Finding[], node: string) => findings.filter((f) => f.node === node).map((f) => `${f.check}: ${f.level}${f.fixable ? ' (fixable)' : ''}`)

test('fresh Debian 12 with firewalld (recorded): every check, in order, with its level', () => {
  const findings = evaluate(recordedConfig(), both('debian12-firewalld.out'))
  assert.deepEqual(levels(findings, 'pfnode1'), [
    'ssh: ok',
    'hostname: ok',
    'distro: ok',
    'resolve pfnode1: warn (fixable)',
    'resolve pfnode2: warn (fixable)',
    'time sync: warn',
    'drbd module: fail',
    'firewall: fail (fixable)',
    'firewall: fail (fixable)',
    'firewall: fail (fixable)',
    'firewall: warn',
    'selinux: ok',
    'nfs lock notices: ok',
  ])
  assert.deepEqual(levels(findings, 'cluster'), ['clock skew: ok'])
  const [drbd, nfs, vrrp, optional] = on(findings, 'pfnode1', 'firewall')
  assert.equal(drbd.message, 'firewalld zone public blocks 7788/tcp (DRBD r0 from 192.0.2.12)')
  assert.deepEqual(drbd.repair, {kind: 'firewall', label: '7788/tcp', commands: ['firewall-cmd --zone=public --add-port=7788/tcp', 'firewall-cmd --permanent --zone=public --add-port=7788/tcp']})
  assert.equal(nfs.message, 'firewalld zone public blocks 2049/tcp (NFS server from clients)')
  assert.match(vrrp.message, /VRRP \(keepalived VRRP; IP protocol 112, not a port\) from 192\.0\.2\.12 — adverts are unicast from the peer/)
  assert.deepEqual(vrrp.repair, {kind: 'firewall', label: 'VRRP (IP protocol 112)', commands: ['firewall-cmd --zone=public --add-protocol=vrrp', 'firewall-cmd --permanent --zone=public --add-protocol=vrrp']})
  assert.match(optional.message, /blocks 111\/tcp \(rpcbind\), 111\/udp \(rpcbind\), 20048\/tcp \(mountd\) — NFSv3 clients only; mountd listens on 20048 only when/)
  assert.equal(optional.fixable, undefined, 'optional openings are left to the operator')
  assert.equal(optional.fix, 'if you need them: firewall-cmd --zone=public --add-port=111/tcp --add-port=111/udp --add-port=20048/tcp && firewall-cmd --permanent --zone=public --add-port=111/tcp --add-port=111/udp --add-port=20048/tcp')
  assert.equal(one(findings, 'pfnode1', 'time sync').message, 'time sync is on (chrony) but the clock is not synchronised yet')
  assert.equal(one(findings, 'pfnode1', 'resolve pfnode2').fix, 'add "192.0.2.12 pfnode2" to /etc/hosts (--fix writes both names in a "# BEGIN hapair" block)')
})

test('after --fix (recorded): names resolve, firewalld lets the stack in, only the unfixable remain', () => {
  const findings = evaluate(recordedConfig(), both('debian12-firewalld.after-fix.out'))
  assert.deepEqual(levels(findings, 'pfnode1'), ['ssh: ok', 'hostname: ok', 'distro: ok', 'resolve pfnode1: ok', 'resolve pfnode2: ok', 'time sync: warn', 'drbd module: fail', 'firewall: warn', 'selinux: ok', 'nfs lock notices: ok'])
  assert.equal(one(findings, 'pfnode1', 'resolve pfnode2').message, 'pfnode2 resolves to 192.0.2.12')
  assert.equal(findings.filter((f) => f.fixable).length, 0)
})

test('hostname differs from the node name: fail, not auto-fixed, fix names both ways out', () => {
  const findings = evaluate(recordedConfig(), both('devhost-no-systemd.out'))
  const f = one(findings, 'pfnode1', 'hostname')
  assert.equal(f.level, 'fail')
  assert.equal(f.fixable, undefined)
  assert.equal(f.fix, "set the hostname (hostnamectl set-hostname pfnode1) or change the node's name in the cluster file to vm; DRBD and heartbeat need them equal")
})

test('an unsupported distribution fails naming what was found, or warns under --force-distro; the DRBD fix depends on the family', () => {
  const alpine = (f: PreflightFacts) => ({...f, os: {...f.os, id: 'alpine', versionId: '3.20.3', family: 'unknown' as const, prettyName: 'Alpine Linux v3.20'}})
  const f = one(evaluate(recordedConfig(), both('debian12-ufw.out', undefined, alpine)), 'pfnode1', 'distro')
  assert.equal(f.level, 'fail')
  assert.equal(f.message, 'Alpine Linux v3.20 (ID=alpine VERSION_ID=3.20.3) is not a supported distribution')
  assert.match(f.fix ?? '', /--force-distro apt\|dnf\|yum$/)
  const forced = one(evaluate(recordedConfig(), both('debian12-ufw.out', undefined, alpine), {forceDistro: 'apt'}), 'pfnode1', 'distro')
  assert.deepEqual([forced.level, forced.message], ['warn', 'Alpine Linux v3.20 (ID=alpine VERSION_ID=3.20.3) is not supported; going on as apt because of --force-distro'])
  assert.match(drbdModuleFix('debian', 'apt', '12'), /in-tree DRBD 8\.4 module/)
  assert.match(drbdModuleFix('rocky', 'dnf', '9.4'), /elrepo-release-9\.el9\.elrepo\.noarch\.rpm\) and dnf install drbd9x-utils kmod-drbd9x$/)
  assert.match(drbdModuleFix('centos', 'yum', '7'), /\(rpm --import https:\/\/www\.elrepo\.org\/RPM-GPG-KEY-elrepo\.org && yum install -y https:\/\/www\.elrepo\.org\/elrepo-release-7\.el7\.elrepo\.noarch\.rpm\) and yum install drbd90-utils kmod-drbd90$/)
  assert.match(drbdModuleFix('ubuntu', 'apt', '22.04'), /linux-modules-extra-\$\(uname -r\)/)
})

test('DRBD module on disk (recorded modinfo of Debian 6.1 drbd.ko): ok; the lvs stack does not check it', () => {
  const findings = evaluate(recordedConfig(), both('debian12-ufw.out'))
  assert.deepEqual(one(findings, 'pfnode1', 'drbd module'), {node: 'pfnode1', check: 'drbd module', level: 'ok', message: 'DRBD 8.4.11 kernel module available (kernel 6.18.44-fc-v595)'})
  const lvs = recordedConfig({stack: 'lvs', nfs: undefined, storage: undefined, filesystem: undefined, lvs: {port: 80, realServers: [{name: 'web1', address: '192.0.2.21'}, {name: 'web2', address: '192.0.2.22'}]}})
  assert.equal(on(evaluate(lvs, both('debian12-ufw.out', lvs)), 'pfnode1', 'drbd module').length, 0)
})

test('firewalld rich rules, services and runtime-only openings (recorded)', () => {
  const keepalived = evaluate(recordedConfig(), both('debian12-firewalld-rich.out'))
  // 7788 by rich rules (runtime: from the peer; permanent: from its /24), 2049 by the nfs service, VRRP by a rich rule.
  assert.deepEqual(on(keepalived, 'pfnode1', 'firewall').map((f) => f.level), ['warn'])
  assert.match(one(keepalived, 'pfnode1', 'firewall').message, /^firewalld zone public blocks 111\/tcp/)

  const pacemaker = recordedConfig({stack: 'pacemaker', keepalived: undefined, pacemaker: {fencing: 'none'}})
  const fw = on(evaluate(pacemaker, both('debian12-firewalld-rich.out', pacemaker)), 'pfnode1', 'firewall')
  const corosync = fw.find((f) => f.message.includes('5405/udp'))
  assert.equal(corosync?.level, 'warn')
  assert.equal(corosync?.message, '5405/udp (corosync (knet) from 192.0.2.12) is open in firewalld zone public now, but not in its permanent config: a reload or reboot closes it')
  assert.deepEqual(corosync?.repair, {kind: 'firewall', label: '5405/udp', commands: ['firewall-cmd --permanent --zone=public --add-port=5405/udp']})
  // pcsd came from the runtime-only high-availability service: making it permanent is also offered.
  assert.equal(fw.find((f) => f.message.includes('2224/tcp'))?.fixable, true)
})

test('a rich rule from another source does not let the peer in', () => {
  const config = recordedConfig()
  const findings = evaluate(config, both('debian12-firewalld-rich.out', config, (f) => ({
    ...f,
    firewalld: {...f.firewalld, runtime: {...f.firewalld.runtime!, richRules: ['rule family="ipv4" source address="198.51.100.0/24" port port="7788" protocol="tcp" accept', 'rule protocol value="vrrp" accept']}},
  })))
  const drbd = on(findings, 'pfnode1', 'firewall').find((f) => f.message.includes('7788'))
  assert.equal(drbd?.level, 'fail')
  assert.equal(drbd?.message, 'firewalld zone public blocks 7788/tcp (DRBD r0 from 192.0.2.12) (it is in the permanent config, not yet in force)')
  assert.deepEqual(drbd?.repair, {kind: 'firewall', label: '7788/tcp', commands: ['firewall-cmd --zone=public --add-port=7788/tcp']})
})

test('ufw (recorded, after --fix): ports open; VRRP needs before.rules, which --fix does not edit', () => {
  const findings = evaluate(recordedConfig(), both('debian12-ufw.after-fix.out'))
  const fw = on(findings, 'pfnode1', 'firewall')
  assert.deepEqual(fw.map((f) => `${f.level}${f.fixable ? ' fixable' : ''}`), ['fail', 'warn'])
  assert.equal(fw[0].fix, 'add "-A ufw-before-input -p vrrp -s 192.0.2.12 -j ACCEPT" to /etc/ufw/before.rules before its COMMIT line, then `ufw reload`')
  const before = on(evaluate(recordedConfig(), both('debian12-ufw.out')), 'pfnode1', 'firewall')
  assert.deepEqual(before.map((f) => f.repair?.kind === 'firewall' && f.repair.commands), [
    ["ufw allow from 192.0.2.12 to any port 7788 proto tcp comment 'hapair: DRBD r0'"],
    ["ufw allow from 192.0.2.0/24 to any port 2049 proto tcp comment 'hapair: NFS server'"],
    false,
    false,
  ])
})

test('ufw rule forms (recorded): before.rules VRRP, multicast group rule, LIMIT, REJECT first, source-port rules, port lists', () => {
  const ok = evaluate(recordedConfig(), both('debian12-ufw-rules.out'))
  assert.deepEqual(on(ok, 'pfnode1', 'firewall').map((f) => f.level), ['ok'])
  assert.equal(on(ok, 'pfnode1', 'firewall')[0].message, 'ufw lets in 7788/tcp, 2049/tcp, 111/tcp, 111/udp, 20048/tcp, VRRP (IP protocol 112)')

  // Without the before.rules line, multicast VRRP still gets in by the "224.0.0.18 on eth0" rule; unicast only by "Anywhere from the peer".
  const noBefore = (f: PreflightFacts) => ({...f, ufw: {...f.ufw, vrrpBeforeRules: [], rules: f.ufw.rules.filter((r) => r.to !== 'Anywhere')}})
  const multicast = recordedConfig({keepalived: {virtualRouterId: 51, unicast: false}})
  const viaGroup = on(evaluate(multicast, both('debian12-ufw-rules.out', multicast, noBefore)), 'pfnode1', 'firewall')
  assert.deepEqual(viaGroup.map((f) => f.level), ['warn'])
  assert.match(viaGroup[0].message, /^ufw blocks 111\/tcp \(rpcbind\)/, 'only the optional NFSv3 ports, not VRRP')
  const unicast = on(evaluate(recordedConfig(), both('debian12-ufw-rules.out', undefined, noBefore)), 'pfnode1', 'firewall')
  assert.deepEqual(unicast.map((f) => f.level), ['fail', 'warn'])
  assert.match(unicast[0].message, /^ufw blocks VRRP/)

  // The recorded "Anywhere ALLOW IN 192.0.2.12" lets every port in from the peer, so it comes first: DRBD on 6000 is open...
  const reject = recordedConfig({drbd: {port: 6000}})
  assert.deepEqual(on(evaluate(reject, both('debian12-ufw-rules.out', reject)), 'pfnode1', 'firewall').map((f) => f.level), ['ok'])
  // ...without it, "6000/tcp REJECT IN Anywhere" decides first; reordering rules is left to the operator.
  const blocked = on(evaluate(reject, both('debian12-ufw-rules.out', reject, noBefore)), 'pfnode1', 'firewall')
  assert.equal(blocked[0].level, 'fail')
  assert.equal(blocked[0].fixable, undefined)
  assert.equal(blocked[0].message, 'ufw rule "6000/tcp REJECT Anywhere" blocks 6000/tcp (DRBD r0 from 192.0.2.12) before any rule could allow it')

  // DRBD on 2222: LIMIT lets it in. Heartbeat 694/udp: the source-port rule does not count, "Anywhere from the peer" does.
  const limit = recordedConfig({drbd: {port: 2222}})
  assert.equal(on(evaluate(limit, both('debian12-ufw-rules.out', limit, noBefore)), 'pfnode1', 'firewall').some((f) => f.message.includes('2222')), false)
  const hb = recordedConfig({stack: 'heartbeat', keepalived: undefined})
  const hbNoPeerRule = (f: PreflightFacts) => ({...f, ufw: {...f.ufw, rules: f.ufw.rules.filter((r) => r.to !== 'Anywhere')}})
  const hbFindings = on(evaluate(hb, both('debian12-ufw-rules.out', hb, hbNoPeerRule)), 'pfnode1', 'firewall')
  assert.equal(hbFindings[0].message, 'ufw blocks 694/udp (heartbeat from 192.0.2.12) (default incoming policy deny)')
  assert.deepEqual(hbFindings[0].repair, {kind: 'firewall', label: '694/udp', commands: ["ufw allow from 192.0.2.12 to any port 694 proto udp comment 'hapair: heartbeat'"]})

  // The LVS virtual service on 443 is in "80,443/tcp".
  const lvs = recordedConfig({stack: 'lvs', nfs: undefined, storage: undefined, filesystem: undefined, lvs: {port: 443, realServers: [{name: 'web1', address: '192.0.2.21'}, {name: 'web2', address: '192.0.2.22'}]}})
  assert.deepEqual(on(evaluate(lvs, both('debian12-ufw-rules.out', lvs)), 'pfnode1', 'firewall').map((f) => f.level), ['ok'])
})

test('hand-made nftables drop (recorded): a warning listing what to check, nothing to fix; no filtering: ok', () => {
  const f = one(evaluate(recordedConfig(), both('debian12-nft-drop.out')), 'pfnode1', 'firewall')
  assert.equal(f.level, 'warn')
  assert.equal(f.fixable, undefined)
  assert.match(f.message, /^nftables drops incoming traffic in inet filter chain input: hapair cannot tell whether these get through: 7788\/tcp \(DRBD r0 from 192\.0\.2\.12\); 2049\/tcp/)
  const open = one(evaluate(recordedConfig(), both('debian12-timesyncd-container.out')), 'pfnode1', 'firewall')
  assert.deepEqual([open.level, open.message], ['ok', 'nothing filters incoming traffic (firewalld not running, ufw inactive; no nftables input chain drops traffic)'])
})

test('time sync: container, timesyncd off (fixable), chrony stopped (fixable), nothing installed, ntpd', () => {
  const config = recordedConfig()
  assert.equal(one(evaluate(config, both('debian12-timesyncd-container.out')), 'pfnode1', 'time sync').level, 'ok')
  // The same node as if it were a VM (no container): timesyncd is installed and switched off.
  const vm = (f: PreflightFacts) => ({...f, timeDaemons: {...f.timeDaemons, container: null}})
  const off = one(evaluate(config, both('debian12-timesyncd-container.out', config, vm)), 'pfnode1', 'time sync')
  assert.deepEqual(off, {node: 'pfnode1', check: 'time sync', level: 'warn', message: 'no time sync is running', fix: 'timedatectl set-ntp true', fixable: true, repair: {kind: 'timesync', title: 'switch time sync on', script: 'timedatectl set-ntp true'}})
  // The development host (no systemd, chrony installed, not running) as if it were a VM.
  const chrony = one(evaluate(config, both('devhost-no-systemd.out', config, vm)), 'pfnode1', 'time sync')
  assert.deepEqual([chrony.message, chrony.repair], ['chrony is installed but not running', {kind: 'timesync', title: 'start chrony', script: 'systemctl enable --now chrony'}])
  const none = (f: PreflightFacts) => vm({...f, timeDaemons: {...f.timeDaemons, installed: []}, os: {...f.os, family: 'dnf'}})
  const nothing = one(evaluate(config, both('devhost-no-systemd.out', config, none)), 'pfnode1', 'time sync')
  assert.deepEqual([nothing.level, nothing.fix, nothing.fixable], ['warn', 'dnf install chrony (it starts by itself)', undefined])
  const ntpd = (f: PreflightFacts) => vm({...f, timeDaemons: {...f.timeDaemons, active: ['ntpsec']}})
  assert.equal(one(evaluate(config, both('devhost-no-systemd.out', config, ntpd)), 'pfnode1', 'time sync').level, 'ok')
})

test('SELinux enforcing: booleans the stack needs, keepalived script labels, where it cannot; never auto-fixed', () => {
  const enforcing = (booleans: Record<string, boolean>) => (f: PreflightFacts) => ({...f, selinux: {mode: 'enforcing' as const, booleans}})
  const ka = one(evaluate(recordedConfig(), both('debian12-ufw.out', undefined, enforcing({nfs_export_all_rw: true}))), 'pfnode1', 'selinux')
  assert.equal(ka.level, 'warn')
  assert.equal(ka.fixable, undefined)
  assert.match(ka.message, /nfs_export_all_rw on/)
  assert.match(ka.fix ?? '', /semanage fcontext -a -t keepalived_unconfined_script_exec_t '\/etc\/keepalived\/hapair\(\/\.\*\)\?' && restorecon -Rv \/etc\/keepalived\/hapair/)
  assert.match(ka.fix ?? '', /semanage permissive -a keepalived_t/, 'what would have to change where the policy cannot label them')
  const off = one(evaluate(recordedConfig(), both('debian12-ufw.out', undefined, enforcing({nfs_export_all_rw: false}))), 'pfnode1', 'selinux')
  assert.equal(off.level, 'fail')
  assert.match(off.fix ?? '', /^setsebool -P nfs_export_all_rw 1; /)
  const pm = recordedConfig({stack: 'pacemaker', keepalived: undefined, pacemaker: {fencing: 'none'}})
  const pmFinding = one(evaluate(pm, both('debian12-ufw.out', pm, enforcing({nfs_export_all_rw: true, daemons_enable_cluster_mode: false}))), 'pfnode1', 'selinux')
  assert.deepEqual([pmFinding.level, pmFinding.fix], ['fail', 'setsebool -P daemons_enable_cluster_mode 1'])
  const fine = one(evaluate(pm, both('debian12-ufw.out', pm, enforcing({nfs_export_all_rw: true, daemons_enable_cluster_mode: true}))), 'pfnode1', 'selinux')
  assert.deepEqual([fine.level, fine.message], ['ok', 'SELinux is enforcing; nfs_export_all_rw, daemons_enable_cluster_mode on'])
})

test('names: a conflicting /etc/hosts line (recorded) is named, not overridden; loopback is fatal only for pacemaker/heartbeat', () => {
  const findings = evaluate(recordedConfig(), both('debian12-hosts-conflict.out'))
  const own = one(findings, 'pfnode1', 'resolve pfnode1')
  assert.equal(own.level, 'warn')
  assert.equal(own.fixable, undefined)
  assert.equal(own.message, 'pfnode1 resolves to 127.0.1.1 on pfnode1, but the cluster file says 192.0.2.11 (a loopback answer: cluster software that looks the name up would talk to itself)')
  assert.equal(own.fix, 'remove pfnode1 from these /etc/hosts lines: "127.0.1.1 pfnode1.example.org pfnode1"; keep "192.0.2.11 pfnode1" (hapair preflight --fix writes it)')
  const peer = one(findings, 'pfnode1', 'resolve pfnode2')
  assert.equal(peer.level, 'fail')
  assert.match(peer.fix ?? '', /"10\.9\.9\.9 pfnode2 # old address"/)
  const pm = recordedConfig({stack: 'pacemaker', keepalived: undefined, pacemaker: {fencing: 'none'}})
  assert.equal(one(evaluate(pm, both('debian12-hosts-conflict.out', pm)), 'pfnode1', 'resolve pfnode1').level, 'fail')

  // Recorded after a block was added anyway: getaddrinfo returned the user line's address too (loopback first).
  const added = evaluate(recordedConfig(), both('debian12-hosts-conflict.block-added.out'))
  assert.equal(one(added, 'pfnode1', 'resolve pfnode1').message, 'pfnode1 resolves to 127.0.1.1, 192.0.2.11 on pfnode1, but the cluster file says 192.0.2.11 (a loopback answer: cluster software that looks the name up would talk to itself)')
  assert.equal(one(added, 'pfnode1', 'resolve pfnode2').level, 'fail')
})

test('names: hapair block already right but the name still does not resolve: points at nsswitch', () => {
  const unresolved = (f: PreflightFacts) => ({...f, names: {pfnode1: ['192.0.2.11'], pfnode2: []}})
  const f = one(evaluate(recordedConfig(), both('debian12-firewalld.after-fix.out', undefined, unresolved)), 'pfnode1', 'resolve pfnode2')
  assert.equal(f.fixable, undefined)
  assert.match(f.fix ?? '', /nsswitch\.conf/)
})

test('an unreachable node: one ssh failure with the hint; cluster comparisons skipped', () => {
  const f = recordedFacts('debian12-ufw.out')
  const findings = evaluate(recordedConfig(), {pfnode1: f, pfnode2: {unreachable: 'sudo asks for a password, so "preflight facts" cannot run as root', hint: 'allow sudo -n'}})
  assert.deepEqual(findings.filter((x) => x.node === 'pfnode2'), [{node: 'pfnode2', check: 'ssh', level: 'fail', message: 'sudo asks for a password, so "preflight facts" cannot run as root', fix: 'allow sudo -n'}])
  assert.equal(findings.filter((x) => x.node === 'cluster').length, 0)
})

test('ssh through sudo, and a script that did not run as root', () => {
  const sudo = (f: PreflightFacts) => ({...f, identity: {...f.identity, sudoUser: 'deploy'}})
  assert.equal(one(evaluate(recordedConfig(), both('debian12-ufw.out', undefined, sudo)), 'pfnode1', 'ssh').message, 'connected as root@192.0.2.11:22, commands run as root through sudo -n (for deploy)')
  const user = (f: PreflightFacts) => ({...f, identity: {...f.identity, uid: 1000}})
  const notRoot = one(evaluate(recordedConfig(), both('debian12-ufw.out', undefined, user)), 'pfnode1', 'ssh')
  assert.equal(notRoot.level, 'fail')
  assert.match(notRoot.fix ?? '', /NOPASSWD/)
})

test('cluster comparisons: distributions, DRBD versions and clocks that differ', () => {
  const a = recordedFacts('debian12-ufw.out')
  const b: PreflightFacts = {
    ...asPeer(a),
    os: {...a.os, id: 'rocky', prettyName: 'Rocky Linux 9.4 (Blue Onyx)', family: 'dnf', hostname: 'pfnode2'},
    drbd: {...a.drbd, version: '9.2.10'},
    identity: {...a.identity, epoch: (a.identity.epoch ?? 0) + 42},
  }
  assert.deepEqual(levels(evaluate(recordedConfig(), {pfnode1: a, pfnode2: b}), 'cluster'), ['distro: warn', 'drbd module: warn', 'clock skew: warn'])
  assert.equal(one(evaluate(recordedConfig(), {pfnode1: a, pfnode2: b}), 'cluster', 'clock skew').message, 'the clocks differ by about 42 s')
})

test('firewalld judgement details: a trusted zone (target ACCEPT), a source-only rich rule, a "not" source', async () => {
  const {firewalldLets, richRuleLets} = await import('../../../src/preflight/firewall-judge.js')
  const {firewallNeeds} = await import('../../../src/preflight/ports.js')
  const config = recordedConfig()
  const [, drbd] = firewallNeeds(config, config.nodes[0])
  const zone = {target: 'default', interfaces: [], sources: [], services: [], ports: [], protocols: [], richRules: []}
  assert.equal(firewalldLets({...zone, target: 'ACCEPT'}, {}, drbd), true)
  assert.equal(firewalldLets(zone, {}, drbd), false)
  assert.equal(richRuleLets('rule family="ipv4" source address="192.0.2.12" accept', drbd), true, 'everything from the peer')
  assert.equal(richRuleLets('rule family="ipv4" source address="192.0.2.13" accept', drbd), false)
  assert.equal(richRuleLets('rule family="ipv4" source NOT address="192.0.2.99" port port="7788" protocol="tcp" accept', drbd), false, 'inverted sources are not judged')
  assert.equal(richRuleLets('rule family="ipv4" port port="7780-7790" protocol="tcp" accept', drbd), true)
  assert.equal(richRuleLets('rule family="ipv4" port port="7788" protocol="tcp" reject', drbd), false)
})

test('a failover drill left its isolation table behind: fail, even under firewalld', async () => {
  const {DRILL_NFT_TABLE: FIREWALL_NAME} = await import('../../../src/facts/drill-firewall.js')
  const leftover = (f: PreflightFacts) => ({...f, nft: {...f.nft, tables: [...f.nft.tables, `inet ${FIREWALL_NAME}`]}})
  const fw = on(evaluate(recordedConfig(), both('debian12-firewalld.after-fix.out', undefined, leftover)), 'pfnode1', 'firewall')
  assert.deepEqual(fw.map((f) => f.level), ['fail', 'warn'])
  assert.equal(fw[0].fix, `nft delete table inet ${FIREWALL_NAME}`)
  assert.equal(fw[0].fixable, undefined)
})

test('DRBD 9 module needs drbd-utils 9: drbd9x-utils (as on Rocky 9) is ok, 8.x utils fail with the family\'s package names', () => {
  const drbd = (version: string, utils: string | null) => (f: PreflightFacts) => ({...f, drbd: {version, loaded: false, kernel: '5.14.0-427.13.1.el9_4.x86_64', utils}})
  const ok = one(evaluate(recordedConfig(), both('debian12-ufw.out', undefined, drbd('9.2.9', '9.28.0'))), 'pfnode1', 'drbd module')
  assert.deepEqual([ok.level, ok.message], ['ok', 'DRBD 9.2.9 kernel module available (kernel 5.14.0-427.13.1.el9_4.x86_64, drbd-utils 9.28.0)'])
  const old = one(evaluate(recordedConfig(), both('debian12-ufw.out', undefined, drbd('9.2.9', '8.4.11'))), 'pfnode1', 'drbd module')
  assert.deepEqual([old.level, old.message, old.fix], ['fail', 'DRBD 9.2.9 kernel module but drbd-utils 8.4.11, which cannot configure DRBD 9', 'install drbd-utils 9 (drbd-utils)'])
})

test('NFSv3 lock notices: preflight says whether the VIP has a name in /etc/hosts or each takeover gives it one privately', () => {
  const config = recordedConfig()
  const vip = config.vip.address
  const unnamed = one(evaluate(config, both('debian12-firewalld.out')), 'pfnode1', 'nfs lock notices')
  assert.deepEqual([unnamed.level, unnamed.fix], ['ok', undefined])
  assert.equal(
    unnamed.message,
    `/etc/hosts names no ${vip}: each takeover sends NFSv3 lock notices (sm-notify) from a mount namespace of its own whose /etc/hosts adds "${vip} hapair-${config.name}-vip" (needs unshare, util-linux); nothing on the node changes`,
  )
  const withName = (f: PreflightFacts) => ({...f, hosts: {...f.hosts, content: `${f.hosts.content ?? ''}\n# the NFS service\n${vip}\tnfs nfs.example.net\n`}})
  assert.equal(one(evaluate(config, both('debian12-firewalld.out', undefined, withName)), 'pfnode1', 'nfs lock notices').message, `NFSv3 lock notices go out from ${vip} as nfs (its name in /etc/hosts)`)
  assert.equal(hostsNameFor(`#${vip} old\n ${vip}  vip # comment\n`, vip), 'vip')
  assert.equal(hostsNameFor(`${vip}\n${vip}0 other\n`, vip), undefined)
  assert.equal(hostsNameFor(null, vip), undefined)
})
