import assert from 'node:assert/strict'
import {mkdtemp, readdir, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {loadCluster} from '../../../src/config/load.js'
import {configPath, devicePath, exportClients, exportOption, interfaceName, unsafeSecretProblems, unsafeValueProblems, urlPath, userName} from '../../../src/config/safe-values.js'
import {generateSecrets, readSecrets, renderSecretsYaml} from '../../../src/config/secrets.js'
import {ConfigError} from '../../../src/errors.js'

const refused = (check: (v: string) => string | undefined, values: string[]) => {
  for (const v of values) assert.ok(check(v), `accepted ${JSON.stringify(v)}`)
}
const accepted = (check: (v: string) => string | undefined, values: string[]) => {
  for (const v of values) assert.equal(check(v), undefined, `refused ${JSON.stringify(v)}`)
}

describe('safe values: what may reach a config file or script', () => {
  it('paths: plain absolute paths only', () => {
    accepted(configPath, ['/data', '/srv/nfs/export-1', '/mnt/a.b_c+d@e:f%g~h', '/'])
    refused(configPath, [
      'data', '/data dir', '/data\tx', '/data\n/other', '/data"', "/data'", '/data;reboot', '/data{x}', '/data#c', '/data$(id)', '/data`id`',
      '/data\\x', '/data*', '/data?', '/data[1]', '/data|x', '/data&', '/data>x', '/data<x', '/data!', '/data,x', '/data(x)', '/data=x',
      '/data\u0000', '/data\u007f', '/data\u0085', '/data\u00a0', '/dätä', '/a/../etc', '/a/./b', '//data', '/data/', `/${'x'.repeat(256)}`,
    ])
  })

  it('devices: plain paths under /dev', () => {
    accepted(devicePath, ['/dev/sdb', '/dev/vdb', '/dev/nvme0n1', '/dev/disk/by-id/wwn-0x5000c500a1b2c3d4', '/dev/mapper/vg-lv', '/dev/drbd0'])
    refused(devicePath, ['/dev/vdb; handlers { fence-peer "/bin/touch /tmp/x"; } #', '/dev/../etc/passwd', '/etc/passwd', '/dev/', '/dev', 'sdb', '/dev/sdb ', '/dev/sd"b', '/dev/sdb\n'])
  })

  it('exports: clients and options cannot close the option list or start another export', () => {
    accepted(exportClients, ['*', '192.168.1.0/24', 'client.example.com', '*.example.com', '@trusted', 'host?', '10.0.0.0/255.255.255.0'])
    refused(exportClients, ['10.0.0.1(rw)', '10.0.0.1 *', 'a,b', '"x"', 'x#', 'x\n*'])
    accepted(exportOption, ['rw', 'sync', 'no_root_squash', 'fsid=0', 'fsid=1', 'sec=krb5:krb5i', 'anonuid=65534', 'refer=/x@host'])
    refused(exportOption, ['fsid=0)', 'rw,insecure', 'rw no_root_squash', 'RW', 'fsid=', 'sec="sys"', 'fsid=0#', 'x=(y)'])
  })

  it('interface names, user names and HTTP check paths', () => {
    accepted(interfaceName, ['eth0', 'enp0s3', 'br-lan', 'eth0.100', 'bond0:1'])
    refused(interfaceName, ['eth0\n', 'eth 0', 'a/b', '.', '..', 'averyveryverylongname', ''])
    accepted(userName, ['root', 'admin', 'deploy_user', 'first.last', 'user@corp'])
    refused(userName, ['-oProxyCommand=x', 'root\n', 'ro ot', 'root;id', 'a"b', ''])
    accepted(urlPath, ['/', '/health', '/status?full=1&x=2'])
    refused(urlPath, ['health', '/a b', '/a"b', '/a}b', '/a#b', '/a!b', '/a\nb'])
  })

  it('names each problem by its path in the file, list items included', () => {
    const problems = unsafeValueProblems({
      storage: {disk: '/dev/vdb;x'},
      nfs: {exports: [{path: '/data', clients: '*', options: ['rw']}, {path: '/data x', clients: 'a(b)', options: ['rw', 'fsid=0)']}]},
      lvs: {realServers: [{ssh: {user: 'a b'}}], healthCheck: {path: '/a b'}},
    })
    assert.deepEqual(problems.map((p) => p.path).sort(), ['lvs.healthCheck.path', 'lvs.realServers[0].ssh.user', 'nfs.exports[1].clients', 'nfs.exports[1].options[1]', 'nfs.exports[1].path', 'storage.disk'])
    assert.ok(problems.every((p) => p.fix && p.message))
  })

  it('ignores values of the wrong type (the schema reports those) and the sections a file leaves out', () => {
    assert.deepEqual(unsafeValueProblems({storage: {disk: 7}, nfs: {exports: 'x'}, vip: null}), [])
    assert.deepEqual(unsafeValueProblems([]), [])
  })
})

describe('secrets from a safe alphabet', () => {
  it('generated secrets pass; a quote, a space, a newline or an over-long DRBD secret do not, and the message never shows the value', () => {
    assert.deepEqual(unsafeSecretProblems(generateSecrets()), [])
    const good = generateSecrets()
    for (const [key, bad] of [['drbdSharedSecret', 'abcdefgh"ijklmnop'], ['drbdSharedSecret', 'abcdefgh ijklmnop'], ['drbdSharedSecret', 'x'.repeat(65)], ['keepalivedAuthPass', 'a b'], ['keepalivedAuthPass', 'ab#c'], ['heartbeatAuthkey', 'abcdefgh\nijklmnop'], ['corosyncAuthkey', 'abc$def']] as const) {
      const problems = unsafeSecretProblems({...good, [key]: bad})
      assert.deepEqual(problems.map((p) => p.path), [key], `${key}=${JSON.stringify(bad)}`)
      assert.ok(!problems[0].message.includes(bad) && !problems[0].fix!.includes(bad))
    }
  })

  it('a bad drbdSharedSecret is caught when the secrets file is read: exit 2, file named, value not shown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-safe-'))
    const file = join(dir, 'hapair.secrets.yaml')
    await writeFile(file, renderSecretsYaml({...generateSecrets(), drbdSharedSecret: '"quoted secret value"'}), {mode: 0o600})
    const error = await readSecrets(file).then(() => assert.fail('read a bad secret'), (e: unknown) => e)
    assert.ok(error instanceof ConfigError && error.exitCode === 2 && error.file === file)
    assert.match(error.message, /drbdSharedSecret: holds a character/)
    assert.doesNotMatch(error.message, /quoted secret value/)
  })

  it('a YAML alias bomb in the secrets file: exit 2 naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-safe-'))
    const file = join(dir, 'hapair.secrets.yaml')
    const levels = ['a: &a [x,x,x,x,x,x,x,x,x,x]', ...'bcdefgh'.split('').map((l, i) => `${l}: &${l} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(',')}]`)]
    await writeFile(file, levels.join('\n') + '\n', {mode: 0o600})
    const error = await readSecrets(file).then(() => assert.fail('read a bomb'), (e: unknown) => e)
    assert.ok(error instanceof ConfigError && error.exitCode === 2 && error.file === file)
    assert.match(error.message, /aliases expand too far/)
  })
})

describe('loadCluster with an injected value', () => {
  it('exit 2 naming the path, before any secrets file is made (so before any connection)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-safe-'))
    const text = [
      'name: c', 'stack: keepalived',
      'nodes: [{name: node1, address: 192.168.1.151}, {name: node2, address: 192.168.1.152}]',
      'vip: {address: 192.168.1.200, prefix: 24, interface: eth0}',
      'storage: {disk: "/dev/vdb; handlers { fence-peer \\"/bin/touch /tmp/x\\"; } #", partition: {number: 1, size: 10G}}',
      'filesystem: {mountPoint: /data}', 'nfs: {exports: [{path: /data, clients: "*"}]}', 'keepalived: {virtualRouterId: 51}', '',
    ].join('\n')
    await writeFile(join(dir, 'hapair.yaml'), text)
    const error = await loadCluster(join(dir, 'hapair.yaml')).then(() => assert.fail('loaded'), (e: unknown) => e)
    assert.ok(error instanceof ConfigError && error.exitCode === 2)
    assert.match(error.message, /storage\.disk \(line 5, column \d+\): holds ";"/)
    assert.deepEqual(await readdir(dir), ['hapair.yaml'])
  })
})
