import assert from 'node:assert/strict'
import {mkdtemp, readFile, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'
import {loadCluster, parseClusterText} from '../../../src/config/load.js'
import {ConnectError, InterruptedError, UsageError} from '../../../src/errors.js'
import type {Connector} from '../../../src/transport/connect-all.js'
import {FakeHost} from '../../../src/transport/fake-host.js'
import {sshConfigLookup} from '../../../src/transport/ssh-config.js'
import type {SshTarget} from '../../../src/transport/ssh-connect.js'
import {runWizard} from '../../../src/wizard/interactive.js'
import {CTRL_C, DEFAULT, refused, ScriptedPrompter, type Answer} from './scripted-prompter.js'
import {loadProgress} from '../../../src/wizard/progress.js'
import {existsSync, statSync} from 'node:fs'

const DIR = fileURLToPath(new URL('../../../../test/fixtures/config/discovery/', import.meta.url))
const guest: Record<string, string> = {}
for (const [address, file] of [['10.10.0.11', 'guest-node1.txt'], ['10.10.0.12', 'guest-node2.txt']]) guest[address] = await readFile(join(DIR, file), 'utf8')

/** Connects to the two lab-like guests; `newKeys` addresses ask for host key consent first; `down` addresses fail. */
function fakeConnector(opts: {newKeys?: string[]; down?: Set<string>} = {}) {
  const targets: SshTarget[] = []
  const hosts: FakeHost[] = []
  const connect: Connector = async (target, connectOpts) => {
    targets.push(target)
    if (opts.down?.has(target.address)) throw new ConnectError(target.node, `connect ECONNREFUSED ${target.address}:${target.ssh.port}`, 'is sshd running?')
    if (opts.newKeys?.includes(target.address)) {
      const ok = await connectOpts.confirmHostKey!(target.node, 'SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ', 'ssh-ed25519')
      if (!ok) throw new ConnectError(target.node, 'host key not trusted')
    }
    const host = new FakeHost(target.node, target.address).expect('uname -n', {stdout: guest[target.address]})
    hosts.push(host)
    return host
  }
  return {connect, targets, hosts}
}

const sshDefaults = (label: string): [RegExp, Answer][] => [
  [new RegExp(`^${label}: SSH user`), DEFAULT],
  [new RegExp(`^${label}: SSH port`), DEFAULT],
  [new RegExp(`^${label}: SSH key file`), DEFAULT],
]

describe('hapair init wizard', () => {
  it('keepalived with every default: tests SSH, reads the nodes, writes a loadable file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-wizard-'))
    const file = join(dir, 'hapair.yaml')
    const prompt = new ScriptedPrompter([
      [/^Cluster name/, 'nfs-ha'],
      [/^node1: address/, '10.10.0.11'],
      ...sshDefaults('node1'),
      [/^node1 \(10\.10\.0\.11\) is new to known_hosts\. It offers the ssh-ed25519 key SHA256:/, true],
      [/^node2: address/, '10.10.0.12'],
      ...sshDefaults('node2'),
      [/^Which HA stack/, DEFAULT],
      [/^Floating IP/, DEFAULT],
      [/prefix length/, DEFAULT],
      [/^Network interface/, DEFAULT],
      [/^Disk to replicate/, DEFAULT],
      [/^Size of the DRBD partition/, DEFAULT],
      [/^DRBD: resource r0/, DEFAULT],
      [/^Filesystem on the DRBD device/, DEFAULT],
      [/^Mount point/, DEFAULT],
      [/^NFS clients/, DEFAULT],
      [/virtual router id/, DEFAULT],
      [/^When node1 comes back after a failover, take the VIP back from node2/, DEFAULT],
      [/^Write .*hapair\.yaml\?/, true],
    ])
    const fake = fakeConnector({newKeys: ['10.10.0.11']})
    const result = await runWizard({file, force: false, acceptNewHostKeys: false, prompt, connect: fake.connect})
    prompt.done()
    for (const host of fake.hosts) {
      host.done()
      assert.ok(host.closed, 'each test connection is closed')
    }

    // Defaults came from the nodes.
    const asked = (re: RegExp) => prompt.asked.find((q) => re.test(q.message))!
    assert.equal(asked(/^Floating IP/).default, '10.10.0.200')
    assert.equal(asked(/^Network interface/).default, 'ens3')
    assert.equal(asked(/^NFS clients/).default, '10.10.0.0/24')
    const disks = asked(/^Disk to replicate/).choices!
    assert.equal(asked(/^Disk to replicate/).default, '/dev/vdb')
    assert.deepEqual(
      disks.map((c) => [c.value, c.disabled ?? null]),
      [
        ['/dev/vda', "holds node1's root filesystem"],
        ['/dev/vdb', null],
        ['/dev/vdc', 'not on node1'],
        ['\u0000other', null],
      ],
    )
    assert.match(disks[1].name!, /^\/dev\/vdb {2}1G {2}blank$/)

    const {config} = await loadCluster(file)
    assert.deepEqual(config, result.config)
    assert.deepEqual(
      config.nodes.map((n) => [n.name, n.address]),
      [
        ['node1', '10.10.0.11'],
        ['node2', '10.10.0.12'],
      ],
    )
    assert.deepEqual(config.vip, {address: '10.10.0.200', prefix: 24, interface: 'ens3'})
    assert.deepEqual(config.storage, {disk: '/dev/vdb', partition: {number: 1, size: 'rest'}})
    assert.equal(config.keepalived?.virtualRouterId, 51)
    assert.ok(prompt.said.some((s) => s.includes('name: nfs-ha')), 'the file is shown before it is written')
    assert.ok(prompt.said.some((s) => /Generated secrets into .*hapair\.secrets\.yaml \(mode 0600\)/.test(s)))
  })

  it('a node that cannot be reached: says why, lets the user fix the details and try again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-wizard-'))
    const prompt = new ScriptedPrompter([
      [/^Cluster name/, 'hb'],
      [/^node1: address/, '10.10.0.99'],
      ...sshDefaults('node1'),
      [/^node1 could not be reached/, 'edit'],
      [/^node1: address/, '10.10.0.11'],
      [/^node1: SSH user/, 'admin'],
      [/^node1: SSH port/, '2222'],
      [/^node1: SSH key file/, '~/.ssh/ha_key'],
      [/^node2: address/, '10.10.0.12'],
      ...sshDefaults('node2'),
      [/^Which HA stack/, 'nfs-keepalived'],
      [/^Floating IP/, '10.10.0.50'],
      [/prefix length/, DEFAULT],
      [/^Network interface/, DEFAULT],
      [/^Disk to replicate/, '/dev/vdb'],
      [/^Size of the DRBD partition/, '512M'],
      [/^DRBD: resource r0/, false],
      [/^DRBD resource name/, 'nfsdata'],
      [/^DRBD replication port/, '7790'],
      [/^DRBD protocol/, 'A'],
      [/^Filesystem on the DRBD device/, 'xfs'],
      [/^Mount point/, '/srv/nfs'],
      [/^NFS clients/, '10.10.0.0/24'],
      [/virtual router id/, '77'],
      [/take the VIP back/, false],
      [/^Write /, true],
    ])
    const fake = fakeConnector({down: new Set(['10.10.0.99'])})
    await runWizard({file: join(dir, 'hapair.yaml'), force: false, acceptNewHostKeys: false, prompt, connect: fake.connect})
    prompt.done()
    assert.ok(prompt.said.some((s) => s.startsWith('node1: connect ECONNREFUSED 10.10.0.99:22') && s.includes('is sshd running?')))
    // node2's SSH questions default to node1's answers.
    assert.equal(prompt.asked.find((q) => /^node2: SSH user/.test(q.message))!.default, 'admin')
    assert.deepEqual(fake.targets.map((t) => [t.address, t.ssh.user, t.ssh.port, t.ssh.identityFile]), [
      ['10.10.0.99', 'root', 22, undefined],
      ['10.10.0.11', 'admin', 2222, '~/.ssh/ha_key'],
      ['10.10.0.12', 'admin', 2222, '~/.ssh/ha_key'],
    ])
    const {config} = await loadCluster(join(dir, 'hapair.yaml'))
    assert.equal(config.stack, 'keepalived')
    assert.deepEqual(config.keepalived, {virtualRouterId: 77, advertInt: 1, preempt: false, unicast: true})
    assert.deepEqual(config.drbd, {resource: 'nfsdata', device: '/dev/drbd0', port: 7790, protocol: 'A', syncRate: '100M'})
    assert.deepEqual(config.filesystem, {type: 'xfs', mountPoint: '/srv/nfs'})
    assert.deepEqual(config.nfs?.exports.map((e) => [e.path, e.clients]), [['/srv/nfs', '10.10.0.0/24']])
    assert.deepEqual(config.nodes[0].ssh, {user: 'admin', port: 2222, identityFile: '~/.ssh/ha_key', connectTimeout: 15})
  })

  it('going on without testing: asks for the name and the disk instead of detecting them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-wizard-'))
    const prompt = new ScriptedPrompter([
      [/^Cluster name/, DEFAULT],
      [/^node1: address/, '192.168.5.11'],
      ...sshDefaults('node1'),
      [/^node1 could not be reached/, 'skip'],
      [/^node1: its name, exactly as `uname -n`/, 'alpha'],
      [/^node2: address/, '192.168.5.12'],
      ...sshDefaults('node2'),
      [/^node2 could not be reached/, 'skip'],
      [/^node2: its name/, 'beta'],
      [/^Which HA stack/, DEFAULT],
      [/^Floating IP/, DEFAULT],
      [/prefix length/, DEFAULT],
      [/^Network interface/, DEFAULT],
      [/^Disk to replicate/, DEFAULT],
      [/^Size of the DRBD partition/, DEFAULT],
      [/^DRBD: resource r0/, DEFAULT],
      [/^Filesystem on the DRBD device/, DEFAULT],
      [/^Mount point/, DEFAULT],
      [/^NFS clients/, DEFAULT],
      [/virtual router id/, DEFAULT],
      [/take the VIP back/, DEFAULT],
      [/^Write /, true],
    ])
    const fake = fakeConnector({down: new Set(['192.168.5.11', '192.168.5.12'])})
    await runWizard({file: join(dir, 'hapair.yaml'), force: false, acceptNewHostKeys: false, prompt, connect: fake.connect})
    prompt.done()
    const {config} = await loadCluster(join(dir, 'hapair.yaml'))
    assert.deepEqual(config.nodes.map((n) => n.name), ['alpha', 'beta'])
    assert.deepEqual(config.vip, {address: '192.168.5.200', prefix: 24, interface: 'eth0'})
    assert.equal(config.storage?.disk, '/dev/sdb')
    assert.equal(config.nfs?.exports[0].clients, '192.168.5.0/24')
    assert.equal(config.keepalived?.virtualRouterId, 51)
  })

  it('an existing file: asks first, and writes nothing when told no', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-wizard-'))
    const file = join(dir, 'hapair.yaml')
    await writeFile(file, 'mine\n')
    const prompt = new ScriptedPrompter([[/already exists\. Replace it\?/, DEFAULT]])
    await assert.rejects(runWizard({file, force: false, acceptNewHostKeys: false, prompt, connect: fakeConnector().connect}), UsageError)
    prompt.done()
    assert.equal(await readFile(file, 'utf8'), 'mine\n')
  })

  it('the same machine entered twice is caught at once, and another address is asked for', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-wizard-'))
    guest['10.10.0.13'] = guest['10.10.0.12']
    const prompt = new ScriptedPrompter([
      [/^Cluster name/, DEFAULT],
      [/^node1: address/, '10.10.0.11'],
      ...sshDefaults('node1'),
      [/^node2: address/, refused('10.10.0.11', /that is node1's address/)],
      [/^node2: address/, '10.10.0.14'],
      ...sshDefaults('node2'),
      // Before any other question: the clash and a way out.
      [/^node2: what now\?/, 'edit'],
      [/^node2: address/, '10.10.0.13'],
      ...sshDefaults('node2'),
      ...rest(),
    ])
    guest['10.10.0.14'] = guest['10.10.0.11']
    const fake = fakeConnector()
    await runWizard({file: join(dir, 'hapair.yaml'), force: false, acceptNewHostKeys: false, prompt, connect: fake.connect})
    prompt.done()
    assert.ok(prompt.said.some((l) => /node2: 10\.10\.0\.14 calls itself "node1", like node1 \(10\.10\.0\.11\)/.test(l)))
    const {config} = await loadCluster(join(dir, 'hapair.yaml'))
    assert.deepEqual(config.nodes.map((n) => [n.name, n.address]), [['node1', '10.10.0.11'], ['node2', '10.10.0.13']])
  })

  it('refuses an interface and a disk the nodes do not have, and a size the disk cannot hold', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-wizard-'))
    const prompt = new ScriptedPrompter([
      [/^Cluster name/, DEFAULT],
      [/^node1: address/, '10.10.0.11'],
      ...sshDefaults('node1'),
      [/^node2: address/, '10.10.0.12'],
      ...sshDefaults('node2'),
      ...rest({
        iface: [refused('eth9', /^node1 has no interface eth9 with an IPv4 address \(it has: lo, ens3.*\); node2 has no interface eth9/), 'ens3'],
        disk: [refused('/dev/sdz', /^\/dev\/sdz is not a disk on node1 \(its disks: \/dev\/vda, \/dev\/vdb\); \/dev\/sdz is not a disk on node2/), refused('/dev/vda', /holds node1's root filesystem/), '/dev/vdb'],
        size: [refused('5G', /^5G does not fit \/dev\/vdb on node1 \(1G, less 2M for the partition table\)/), '512M'],
      }),
    ])
    await runWizard({file: join(dir, 'hapair.yaml'), force: false, acceptNewHostKeys: false, prompt, connect: fakeConnector().connect})
    prompt.done()
    assert.equal(prompt.refusals.length, 4)
    const {config} = await loadCluster(join(dir, 'hapair.yaml'))
    assert.equal(config.vip.interface, 'ens3')
    assert.deepEqual(config.storage, {disk: '/dev/vdb', partition: {number: 1, size: '512M'}})
  })

  it('a node addressed by name: asks for its IPv4 among the ones it holds, and computes the VIP from it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-wizard-'))
    guest['node1.lab.example'] = guest['10.10.0.11']
    const prompt = new ScriptedPrompter([
      [/^Cluster name/, DEFAULT],
      [/^node1: address/, refused('-oProxyCommand=x', /a host name/)],
      [/^node1: address/, 'node1.lab.example'],
      ...sshDefaults('node1'),
      [/^node1: its IPv4 address on the VIP's network \(node1\.lab\.example is not one\)/, refused('10.9.9.9', /^node1 does not hold 10\.9\.9\.9 \(it has: 10\.10\.0\.11/)],
      [/^node1: its IPv4 address/, DEFAULT],
      [/^node2: address/, '10.10.0.12'],
      ...sshDefaults('node2'),
      ...rest(),
    ])
    await runWizard({file: join(dir, 'hapair.yaml'), force: false, acceptNewHostKeys: false, prompt, connect: fakeConnector().connect})
    prompt.done()
    const {config} = await loadCluster(join(dir, 'hapair.yaml'), {resolve: {sshConfig: () => ({used: []}), resolveName: async () => assert.fail('ip is in the file')}})
    assert.deepEqual([config.nodes[0].address, config.nodes[0].ip], ['node1.lab.example', '10.10.0.11'])
    assert.equal(config.vip.address, '10.10.0.200')
  })

  it("takes ~/.ssh/config's User, Port and IdentityFile as defaults, and dials its HostName through its ProxyJump", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-wizard-'))
    guest['db1'] = guest['10.10.0.11']
    const sshConfig = sshConfigLookup('Host db1\n  HostName 10.10.0.11\n  User admin\n  Port 2222\n  IdentityFile ~/.ssh/cluster\n  ProxyJump ops@bastion\n')
    const prompt = new ScriptedPrompter([
      [/^Cluster name/, DEFAULT],
      [/^node1: address/, 'db1'],
      [/^node1: SSH user/, DEFAULT],
      [/^node1: SSH port/, DEFAULT],
      [/^node1: SSH key file/, DEFAULT],
      [/^node1: its IPv4 address/, DEFAULT],
      [/^node2: address/, '10.10.0.12'],
      ...sshDefaults('node2'),
      ...rest(),
    ])
    const fake = fakeConnector()
    await runWizard({file: join(dir, 'hapair.yaml'), force: false, acceptNewHostKeys: false, prompt, connect: fake.connect, sshConfig})
    prompt.done()
    const asked = (re: RegExp) => prompt.asked.find((q) => re.test(q.message))!.default
    assert.deepEqual([asked(/^node1: SSH user/), asked(/^node1: SSH port/), asked(/^node1: SSH key file/)], ['admin', '2222', '~/.ssh/cluster'])
    assert.deepEqual((fake.targets[0].ssh as {route?: unknown}).route, {host: '10.10.0.11', jumps: [{name: 'bastion', host: 'bastion', port: 22, user: 'ops'}], fromSshConfig: 'HostName, ProxyJump from ~/.ssh/config'})
    assert.ok(prompt.said.includes('node1: connecting to admin@10.10.0.11:2222 via bastion ...'))
    const text = await readFile(join(dir, 'hapair.yaml'), 'utf8')
    assert.doesNotMatch(text, /proxyJump|bastion/, 'how to dial stays in ~/.ssh/config')
  })

  it('a failure at the very end keeps the answers in a draft that is a valid cluster file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-wizard-'))
    const file = join(dir, 'hapair.yaml')
    // A world-readable secrets file stops the write (it would leak the DRBD secret).
    await writeFile(join(dir, 'hapair.secrets.yaml'), 'drbdSharedSecret: x\n', {mode: 0o644})
    const prompt = new ScriptedPrompter([
      [/^Cluster name/, 'keepme'],
      [/^node1: address/, '10.10.0.11'],
      ...sshDefaults('node1'),
      [/^node2: address/, '10.10.0.12'],
      ...sshDefaults('node2'),
      ...rest(),
      [/^Keep your answers in a draft file/, DEFAULT],
    ])
    await assert.rejects(runWizard({file, force: false, acceptNewHostKeys: false, prompt, connect: fakeConnector().connect}))
    prompt.done()
    const draft = await readFile(`${file}.draft`, 'utf8')
    const parsed = parseClusterText(draft)
    assert.deepEqual(parsed.problems, [])
    assert.equal(parsed.config?.name, 'keepme')
    assert.ok(prompt.said.some((l) => l.includes(`mv ${file}.draft ${file}`)))
    await assert.rejects(readFile(file), 'no cluster file was written')
  })
})

/** The questions after both nodes, answered with their defaults unless told otherwise (write: yes). */
function rest(over: {iface?: Answer[]; disk?: Answer[]; size?: Answer[]} = {}): [RegExp, Answer][] {
  const many = (re: RegExp, answers: Answer[] | undefined): [RegExp, Answer][] => (answers ?? [DEFAULT]).map((a) => [re, a])
  return [
    [/^Which HA stack/, DEFAULT],
    [/^Floating IP/, DEFAULT],
    [/prefix length/, DEFAULT],
    ...many(/^Network interface/, over.iface),
    ...(over.disk ? ([[/^Disk to replicate/, '\u0000other']] as [RegExp, Answer][]) : []),
    ...many(/^Disk to replicate/, over.disk),
    ...many(/^Size of the DRBD partition/, over.size),
    [/^DRBD: resource r0/, DEFAULT],
    [/^Filesystem on the DRBD device/, DEFAULT],
    [/^Mount point/, DEFAULT],
    [/^NFS clients/, DEFAULT],
    [/virtual router id/, DEFAULT],
    [/^When node1 comes back after a failover/, DEFAULT],
    [/^Write .*hapair\.yaml\?/, true],
  ]
}

describe('hapair init wizard, interrupted', () => {
  const both: [RegExp, Answer][] = [
    [/^Cluster name/, 'pair-7'],
    [/^node1: address/, '10.10.0.11'],
    [/^node1: SSH user/, 'admin'],
    [/^node1: SSH port/, '2222'],
    [/^node1: SSH key file/, DEFAULT],
    [/^node2: address/, '10.10.0.12'],
    ...sshDefaults('node2'),
  ]

  it('Ctrl-C keeps the answers so far (0600, init-flag form), says where and how to resume; --resume offers them as defaults and removes them once written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-wizard-'))
    const file = join(dir, 'hapair.yaml')
    const prompt = new ScriptedPrompter([...both, [/^Which HA stack/, DEFAULT], [/^Floating IP/, '10.10.0.150'], [/prefix length/, DEFAULT], [/^Network interface/, DEFAULT], [/^Disk to replicate/, CTRL_C]])
    await assert.rejects(runWizard({file, force: false, acceptNewHostKeys: true, prompt, connect: fakeConnector().connect}), InterruptedError)
    prompt.done()
    const kept = `${file}.answers.yaml`
    assert.equal(statSync(kept).mode & 0o777, 0o600)
    const saved = loadProgress(file)
    assert.deepEqual(saved, {
      name: 'pair-7',
      stack: 'keepalived',
      node1: 'name=node1,address=10.10.0.11,user=admin,port=2222',
      node2: 'name=node2,address=10.10.0.12,user=admin,port=2222',
      vip: '10.10.0.150/24',
      interface: 'ens3',
    })
    assert.ok(prompt.said.some((s) => s.includes(kept) && s.includes(`hapair init --resume -c ${file}`)), prompt.said.join('\n'))
    assert.equal(existsSync(file), false)

    // Resumed: every earlier answer is the default; Enter through them.
    const again = new ScriptedPrompter([[/^Cluster name/, DEFAULT], [/^node1: address/, DEFAULT], ...sshDefaults('node1'), [/^node2: address/, DEFAULT], ...sshDefaults('node2'), ...rest()])
    await runWizard({file, force: false, acceptNewHostKeys: true, prompt: again, connect: fakeConnector().connect, defaults: saved})
    again.done()
    const asked = (re: RegExp) => again.asked.find((q) => re.test(q.message))!.default
    assert.deepEqual([asked(/^Cluster name/), asked(/^node1: SSH port/), asked(/^Floating IP/)], ['pair-7', '2222', '10.10.0.150'])
    const {config} = await loadCluster(file)
    assert.deepEqual([config.name, config.nodes[0].ssh.port, config.vip.address], ['pair-7', 2222, '10.10.0.150'])
    assert.equal(existsSync(kept), false, 'the kept answers are removed once the file is written')
  })

  it('Ctrl-C right after an address keeps the address; Ctrl-C at the first question keeps nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-wizard-'))
    const file = join(dir, 'hapair.yaml')
    const early = new ScriptedPrompter([[/^Cluster name/, 'c1'], [/^node1: address/, 'node1.example.com'], [/^node1: SSH user/, CTRL_C]])
    await assert.rejects(runWizard({file, force: false, acceptNewHostKeys: true, prompt: early, connect: fakeConnector().connect}), InterruptedError)
    assert.deepEqual(loadProgress(file), {name: 'c1', node1: 'address=node1.example.com,user=root,port=22'})

    const other = join(dir, 'other.yaml')
    const none = new ScriptedPrompter([[/^Cluster name/, CTRL_C]])
    await assert.rejects(runWizard({file: other, force: false, acceptNewHostKeys: true, prompt: none, connect: fakeConnector().connect}), InterruptedError)
    assert.equal(existsSync(`${other}.answers.yaml`), false)
    assert.throws(() => loadProgress(other), (e: UsageError) => /no .*other\.yaml\.answers\.yaml/.test(e.message))
  })
})
