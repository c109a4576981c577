import {test} from 'node:test'
import assert from 'node:assert/strict'
import {evaluate, type NodeFacts} from '../../../src/preflight/evaluate.js'
import type {PreflightFacts} from '../../../src/preflight/facts.js'
import {planFixes} from '../../../src/preflight/fixes.js'
import {describeChange} from '../../../src/engine/render-plan.js'
import {conflictingLines, withHostsBlock} from '../../../src/preflight/hosts-block.js'
import {asPeer, recordedConfig, recordedFacts, recordedText} from './recorded.js'

const config = recordedConfig()
const BLOCK = [
  '# BEGIN hapair (cluster pf; managed by `hapair preflight --fix`, edit the cluster file instead)',
  '192.0.2.11 pfnode1',
  '192.0.2.12 pfnode2',
  '# END hapair',
].join('\n')

function plan(byNode: Record<string, NodeFacts>, cfg = config) {
  return planFixes(cfg, evaluate(cfg, byNode), byNode)
}
function both(file: string, edit: (f: PreflightFacts) => PreflightFacts = (f) => f): Record<string, NodeFacts> {
  const f = edit(recordedFacts(file))
  return {pfnode1: f, pfnode2: asPeer(f)}
}

test('fresh firewalld node (recorded): the hosts block with its diff base, then the firewall commands; per node', () => {
  const before = recordedFacts('debian12-firewalld.out').hosts.content
  const changes = plan(both('debian12-firewalld.out'))
  assert.deepEqual(changes.map((c) => `${c.node}: ${c.kind} ${c.title}`), [
    'pfnode1: file add the node names to /etc/hosts',
    'pfnode1: command open in the firewall: 7788/tcp, 2049/tcp, VRRP (IP protocol 112)',
    'pfnode2: file add the node names to /etc/hosts',
    'pfnode2: command open in the firewall: 7788/tcp, 2049/tcp, VRRP (IP protocol 112)',
  ])
  assert.deepEqual(changes[0], {kind: 'file', node: 'pfnode1', title: 'add the node names to /etc/hosts', path: '/etc/hosts', content: `${before}${BLOCK}\n`, mode: 0o644, before})
  assert.deepEqual(changes[1], {
    kind: 'command',
    node: 'pfnode1',
    title: 'open in the firewall: 7788/tcp, 2049/tcp, VRRP (IP protocol 112)',
    script: [
      'firewall-cmd --zone=public --add-port=7788/tcp',
      'firewall-cmd --permanent --zone=public --add-port=7788/tcp',
      'firewall-cmd --zone=public --add-port=2049/tcp',
      'firewall-cmd --permanent --zone=public --add-port=2049/tcp',
      'firewall-cmd --zone=public --add-protocol=vrrp',
      'firewall-cmd --permanent --zone=public --add-protocol=vrrp',
      '',
    ].join('\n'),
  })
})

test('the recorded --fix changes are what planFixes plans, and the node read afterwards plans nothing', () => {
  const changes = plan({pfnode1: recordedFacts('debian12-firewalld.out'), pfnode2: {unreachable: 'not recorded'}})
  assert.equal(`${changes.map(describeChange).join('\n')}\n`, recordedText('debian12-firewalld.changes.txt'))
  assert.deepEqual(plan(both('debian12-firewalld.after-fix.out')), [])
  assert.deepEqual(plan({pfnode1: recordedFacts('debian12-ufw.after-fix.out'), pfnode2: {unreachable: 'not recorded'}}), [], 'VRRP under ufw is reported, not repaired')
})

test('ufw node (recorded): allow rules limited to the peer and the export network', () => {
  const changes = plan({pfnode1: recordedFacts('debian12-ufw.out'), pfnode2: {unreachable: 'down'}})
  assert.deepEqual(changes, [
    {
      kind: 'command',
      node: 'pfnode1',
      title: 'open in the firewall: 7788/tcp, 2049/tcp',
      script: "ufw allow from 192.0.2.12 to any port 7788 proto tcp comment 'hapair: DRBD r0'\nufw allow from 192.0.2.0/24 to any port 2049 proto tcp comment 'hapair: NFS server'\n",
    },
  ])
  assert.equal(recordedText('debian12-ufw.changes.txt').trim(), [
    'pfnode1: open in the firewall: 7788/tcp, 2049/tcp',
    "    $ ufw allow from 192.0.2.12 to any port 7788 proto tcp comment 'hapair: DRBD r0'",
    "    $ ufw allow from 192.0.2.0/24 to any port 2049 proto tcp comment 'hapair: NFS server'",
  ].join('\n'))
})

test('time sync switched on where timesyncd is installed; nothing planned for what is not safe to repair', () => {
  const vm = (f: PreflightFacts) => ({...f, timeDaemons: {...f.timeDaemons, container: null}})
  const changes = plan(both('debian12-timesyncd-container.out', vm))
  assert.deepEqual(changes.filter((c) => c.node === 'pfnode1'), [{kind: 'command', node: 'pfnode1', title: 'switch time sync on', script: 'timedatectl set-ntp true\n'}])
  // Hostname mismatch, DRBD module, SELinux, conflicting hosts lines: reported only.
  const devhost = plan(both('devhost-no-systemd.out', (f) => ({...f, selinux: {mode: 'enforcing', booleans: {nfs_export_all_rw: false}}, names: {pfnode1: ['192.0.2.11'], pfnode2: ['192.0.2.12']}})))
  assert.deepEqual(devhost, [])
  assert.deepEqual(plan(both('debian12-hosts-conflict.out')), [])
})

test('hosts block: appended once, idempotent, user lines untouched', () => {
  const user = '127.0.0.1\tlocalhost\n# my comment\n10.1.1.1 nas\n'
  const once = withHostsBlock(user, config)
  assert.equal(once, `${user}${BLOCK}\n`)
  assert.equal(withHostsBlock(once, config), once)
  assert.equal(withHostsBlock(null, config), `${BLOCK}\n`)
  assert.equal(withHostsBlock('127.0.0.1 localhost', config), `127.0.0.1 localhost\n${BLOCK}\n`, 'a missing final newline is added')
})

test('hosts block: an existing (stale) block is replaced where it stands, never duplicated', () => {
  const stale = `127.0.0.1 localhost\n# BEGIN hapair (cluster pf; old)\n192.0.2.99 pfnode1\n192.0.2.12 pfnode2\n# END hapair\n10.1.1.1 nas\n`
  const fixed = withHostsBlock(stale, config)
  assert.equal(fixed, `127.0.0.1 localhost\n${BLOCK}\n10.1.1.1 nas\n`)
  assert.equal(fixed.split('# BEGIN hapair').length, 2)
  // An unterminated block (END line deleted) is taken to run to the end of the file.
  assert.equal(withHostsBlock('127.0.0.1 localhost\n# BEGIN hapair\n192.0.2.99 pfnode1\n', config), `127.0.0.1 localhost\n${BLOCK}\n`)
})

test('hosts block: goes before a user line that maps a node name elsewhere, which it names but leaves', () => {
  const debian = '127.0.0.1\tlocalhost\n127.0.1.1\tpfnode1.example.org\tpfnode1\n\n::1 localhost ip6-localhost\n'
  const fixed = withHostsBlock(debian, config)
  assert.equal(fixed, `127.0.0.1\tlocalhost\n${BLOCK}\n127.0.1.1\tpfnode1.example.org\tpfnode1\n\n::1 localhost ip6-localhost\n`)
  assert.equal(withHostsBlock(fixed, config), fixed)
  assert.deepEqual(conflictingLines(fixed, 'pfnode1', ['192.0.2.11']), ['127.0.1.1 pfnode1.example.org pfnode1'])
  assert.deepEqual(conflictingLines(fixed, 'pfnode2', ['192.0.2.12']), [], "the block's own lines are not conflicts")
})

test('a hosts-only repair on a node whose other name is fine still writes the whole block once', () => {
  const half = (f: PreflightFacts) => ({...f, names: {pfnode1: ['192.0.2.11'], pfnode2: []}})
  const changes = plan(both('debian12-firewalld.out', half)).filter((c) => c.kind === 'file')
  assert.equal(changes.length, 2)
  assert.ok(changes.every((c) => c.kind === 'file' && c.content.endsWith(`${BLOCK}\n`)))
})
