import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {ConfigError, UsageError} from '../../../src/errors.js'
import {answersFromFlags, flagFor, parseSpec, withFlagHints} from '../../../src/wizard/flags.js'
import {buildClusterInput} from '../../../src/wizard/answers.js'

const base = {node1: 'name=node1,address=192.168.1.151', node2: 'name=node2,address=192.168.1.152', vip: '192.168.1.200/24', interface: 'eth0', disk: '/dev/sdb'}

describe('parseSpec', () => {
  it('reads key=value lists, forgiving case and dashes in keys', () => {
    const errors: string[] = []
    assert.deepEqual(parseSpec('--node1', 'name=a, address=1.2.3.4,identity-file=~/.ssh/k,PORT=2222', ['name', 'address', 'port', 'identityFile'] as const, errors), {name: 'a', address: '1.2.3.4', identityFile: '~/.ssh/k', port: '2222'})
    assert.deepEqual(errors, [])
  })
  it('names unknown keys with a suggestion', () => {
    const errors: string[] = []
    parseSpec('--node1', 'name=a,adress=1.2.3.4,oops', ['name', 'address'] as const, errors)
    assert.deepEqual(errors, ['--node1: unknown key "adress" (did you mean address?); known keys: name, address', '--node1: "oops" is not key=value (e.g. --node1 name=node1,address=192.168.1.151)'])
  })
})

describe('answersFromFlags', () => {
  it('fills the defaults: stack keepalived, size rest, /data, VRID 51, NFS to the VIP subnet', () => {
    const a = answersFromFlags(base)
    assert.equal(a.stack, 'keepalived')
    assert.deepEqual(a.storage, {disk: '/dev/sdb', size: 'rest'})
    assert.deepEqual(a.filesystem, {type: 'ext4', mountPoint: '/data'})
    assert.deepEqual(a.nfs, {clients: '192.168.1.0/24'})
    assert.deepEqual(a.keepalived, {virtualRouterId: 51})
  })
  it('applies shared SSH flags unless a node says otherwise', () => {
    const a = answersFromFlags({...base, node2: 'name=node2,address=192.168.1.152,user=admin', 'ssh-user': 'ops', 'identity-file': '~/.ssh/ha'})
    assert.deepEqual(a.nodes[0].ssh, {user: 'ops', port: undefined, identityFile: '~/.ssh/ha'})
    assert.equal(a.nodes[1].ssh?.user, 'admin')
    const input = buildClusterInput(a)
    assert.deepEqual(input.nodes[1].ssh, {user: 'admin', identityFile: '~/.ssh/ha'})
  })
  it('reports every missing or malformed flag in one UsageError', () => {
    assert.throws(
      () => answersFromFlags({node1: 'name=a', vip: '1.2.3.4', stack: 'keepalive', 'fs-type': 'ext3'}),
      (e: unknown) => {
        assert.ok(e instanceof UsageError)
        assert.equal(e.exitCode, 2)
        for (const part of ['--node2 is required', '--interface is required', '--disk is required', '--node1: needs address', '--vip: "1.2.3.4" must be address/prefix', 'did you mean keepalived', '--fs-type']) assert.ok(e.message.includes(part), part)
        return true
      },
    )
  })
  it('lvs needs real servers, not a disk, and is refused while its steps are not built', () => {
    const {disk: _disk, ...rest} = base
    assert.throws(() => answersFromFlags({...rest, stack: 'lvs'}), (e: Error) => /--real-server is required/.test(e.message) && !/--disk/.test(e.message))
    assert.throws(
      () => answersFromFlags({...rest, stack: 'lvs', 'real-server': ['name=web1,address=192.168.1.161,port=8080']}),
      (e: Error) => e instanceof UsageError && /LVS-DR directors stack is not built/.test(e.message) && /ready: nfs-keepalived/.test(e.message),
    )
  })
  it('--no-nfs would leave NFS out: a keepalived stack without NFS is not built, so it is refused', () => {
    assert.throws(() => answersFromFlags({...base, nfs: false}), /--stack keepalived --no-nfs: the DRBD \+ keepalived .* not built/)
  })
})

describe('flag hints', () => {
  it('maps cluster paths to the flags that set them', () => {
    assert.equal(flagFor('nodes[1].address'), '--node2')
    assert.equal(flagFor('vip.interface'), '--interface')
    assert.equal(flagFor('vip.address'), '--vip')
    assert.equal(flagFor('storage.partition.size'), '--size')
    assert.equal(flagFor('nfs.exports[0].clients'), '--export-clients')
    assert.equal(flagFor('drbd.port'), undefined)
  })
  it('prefixes fixes with the flag and drops file lines', () => {
    const e = withFlagHints(new ConfigError('/x/hapair.yaml', [{path: 'vip.address', message: 'm', fix: 'f', line: 3, column: 1}]))
    assert.deepEqual(e.problems, [{path: 'vip.address', message: 'm', fix: '--vip: f'}])
  })
})
