import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {mkdtemp, readFile, readdir, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'
import {loadCluster} from '../../../src/config/load.js'
import {secretValues} from '../../../src/config/secrets.js'
import {ConfigError, UsageError} from '../../../src/errors.js'
import type {InitFlags} from '../../../src/wizard/flags.js'
import {initFromFlags} from '../../../src/wizard/non-interactive.js'

const BIN = fileURLToPath(new URL('../../../../bin/run.js', import.meta.url))
const tmp = () => mkdtemp(join(tmpdir(), 'hapair-init-'))
const flags = {node1: 'name=node1,address=192.168.1.151', node2: 'name=node2,address=192.168.1.152', vip: '192.168.1.200/24', interface: 'eth0', disk: '/dev/sdb'}

describe('initFromFlags (init --yes)', () => {
  it('writes a file that loads cleanly, and a 0600 secrets file beside it', async () => {
    const dir = await tmp()
    const result = await initFromFlags(join(dir, 'hapair.yaml'), flags, {force: false})
    assert.equal(result.secretsCreated, true)
    const loaded = await loadCluster(join(dir, 'hapair.yaml'))
    assert.deepEqual(loaded.config, result.config)
    assert.equal(loaded.config.vip.interface, 'eth0')
    assert.deepEqual(loaded.config.nfs?.exports, [{path: '/data', clients: '192.168.1.0/24', options: ['rw', 'sync', 'no_root_squash']}])
    assert.equal((await stat(result.secretsFile)).mode & 0o777, 0o600)
    const text = await readFile(result.file, 'utf8')
    for (const secret of secretValues(loaded.secrets)) assert.ok(!text.includes(secret), 'no secret in hapair.yaml')
  })

  it('the same flags give the same file', async () => {
    const [a, b] = [await tmp(), await tmp()]
    await initFromFlags(join(a, 'hapair.yaml'), flags, {force: false})
    await initFromFlags(join(b, 'hapair.yaml'), flags, {force: false})
    assert.equal(await readFile(join(a, 'hapair.yaml'), 'utf8'), await readFile(join(b, 'hapair.yaml'), 'utf8'))
  })

  const variants: [string, InitFlags][] = [
    ['heartbeat', {}],
    ['pacemaker', {'fs-type': 'xfs', size: '10G', mount: '/srv/nfs'}],
    ['lvs', {disk: undefined, 'real-server': ['name=web1,address=192.168.1.161', 'name=web2,address=192.168.1.162']}],
  ]
  for (const [stack, extra] of variants) {
    it(`refuses a ${stack} file while that stack's steps are not built, writing nothing`, async () => {
      const dir = await tmp()
      await assert.rejects(initFromFlags(join(dir, 'hapair.yaml'), {...flags, stack, ...extra}, {force: false}), (e: unknown) => e instanceof UsageError && /is not built in this version/.test(e.message))
      assert.deepEqual(await readdir(dir), [])
    })
  }

  it('refuses to overwrite without --force; --force replaces the file and keeps the secrets', async () => {
    const dir = await tmp()
    const file = join(dir, 'hapair.yaml')
    const first = await initFromFlags(file, flags, {force: false})
    const secretsBefore = await readFile(first.secretsFile, 'utf8')
    await assert.rejects(initFromFlags(file, {...flags, vip: '192.168.1.201/24'}, {force: false}), (e: unknown) => e instanceof ConfigError && /already exists/.test(e.message) && /--force/.test(e.message))
    const second = await initFromFlags(file, {...flags, vip: '192.168.1.201/24'}, {force: true})
    assert.equal(second.replaced, true)
    assert.equal(second.secretsCreated, false)
    assert.equal(second.config.vip.address, '192.168.1.201')
    assert.equal(await readFile(first.secretsFile, 'utf8'), secretsBefore)
  })

  it('invalid answers: ConfigError naming the flag, nothing written', async () => {
    const dir = await tmp()
    await assert.rejects(initFromFlags(join(dir, 'hapair.yaml'), {...flags, vip: '10.0.0.200/24', 'export-clients': 'a b'}, {force: false}), (e: unknown) => {
      assert.ok(e instanceof ConfigError)
      assert.deepEqual(e.problems.map((p) => p.path).sort(), ['nfs.exports[0].clients', 'vip.address'])
      assert.ok(e.problems.every((p) => p.fix?.startsWith('--')))
      return true
    })
    assert.deepEqual(await readdir(dir), [])
  })

  it('--size 10GB is refused with the binary spelling to use; --size 10GiB is 10 GiB', async () => {
    const dir = await tmp()
    await assert.rejects(initFromFlags(join(dir, 'hapair.yaml'), {...flags, size: '10GB'}, {force: false}), (e: unknown) => {
      assert.ok(e instanceof ConfigError)
      assert.deepEqual(e.problems.map((p) => [p.path, p.message, p.fix]), [
        ['storage.partition.size', '"10GB" is ambiguous: GB means 10^9 bytes to parted, while hapair\'s sizes are binary', '--size: write 10G or 10GiB for 10 GiB (10737418240 bytes)'],
      ])
      return true
    })
    assert.deepEqual(await readdir(dir), [])
    const ok = await initFromFlags(join(dir, 'hapair.yaml'), {...flags, size: '10GiB'}, {force: false})
    assert.equal(ok.config.storage?.partition.size, '10GiB')
  })

  it('stops before writing when an existing secrets file is world-readable', async () => {
    const dir = await tmp()
    await writeFile(join(dir, 'hapair.secrets.yaml'), 'x: 1\n', {mode: 0o644})
    await assert.rejects(initFromFlags(join(dir, 'hapair.yaml'), flags, {force: false}), /readable by others/)
    assert.deepEqual(await readdir(dir), ['hapair.secrets.yaml'])
  })
})

describe('hapair init (the command)', () => {
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, [BIN, 'init', ...args], {env: {...process.env, CI: '1'}}).then(
      (r) => ({code: 0, ...r}),
      (e: {code: number; stdout: string; stderr: string}) => ({code: e.code, stdout: e.stdout, stderr: e.stderr}),
    )

  it('--yes writes the file and says where the secrets went; a second run exits 2', async () => {
    const dir = await tmp()
    const args = ['--yes', '-c', join(dir, 'hapair.yaml'), ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])]
    const first = await run(args)
    assert.equal(first.code, 0, first.stderr)
    assert.match(first.stdout, /Generated secrets into .*hapair\.secrets\.yaml \(mode 0600\)/)
    const again = await run(args)
    assert.equal(again.code, 2)
    assert.match(again.stderr, /already exists/)
  })

  it('--json returns the result without secrets', async () => {
    const dir = await tmp()
    const out = await run(['--yes', '--json', '-c', join(dir, 'h.yaml'), ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])])
    assert.equal(out.code, 0, out.stderr)
    const result = JSON.parse(out.stdout) as {config: {name: string}}
    assert.equal(result.config.name, 'hapair')
    const {secrets} = await loadCluster(join(dir, 'h.yaml'))
    for (const secret of secretValues(secrets)) assert.ok(!out.stdout.includes(secret))
  })

  it('without a terminal and without --yes: exit 2 with what to pass', async () => {
    const out = await run(['-c', join(await tmp(), 'h.yaml')])
    assert.equal(out.code, 2)
    assert.match(out.stderr, /pass --yes with --node1/)
  })
})

describe('initFromFlags with inventory addresses', () => {
  it('writes a host name and an IPv6 address, each with its ip, and they load', async () => {
    const dir = await tmp()
    const file = join(dir, 'hapair.yaml')
    await initFromFlags(file, {...flags, node1: 'name=node1,address=node1.example.com,ip=192.168.1.151', node2: "name=node2,address=fd00::12,ip=192.168.1.152"}, {force: false})
    const text = await readFile(file, 'utf8')
    assert.match(text, /address: node1\.example\.com\n\s+ip: 192\.168\.1\.151/)
    const loaded = await loadCluster(file, {resolve: {sshConfig: () => ({used: []}), resolveName: async () => assert.fail('ip given: no lookup')}})
    assert.deepEqual(loaded.config.nodes.map((n) => [n.address, n.ip]), [['node1.example.com', '192.168.1.151'], ['fd00::12', '192.168.1.152']])
  })

  it('refuses a hostile address naming the flag', async () => {
    const dir = await tmp()
    await assert.rejects(initFromFlags(join(dir, 'hapair.yaml'), {...flags, node1: 'name=node1,address=$(reboot)'}, {force: false}), (e: unknown) => e instanceof ConfigError && /--node1/.test(e.message) && /not an IPv4 or IPv6 address or a host name/.test(e.message))
    assert.deepEqual(await readdir(dir), [])
  })
})
