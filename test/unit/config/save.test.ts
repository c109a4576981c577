import assert from 'node:assert/strict'
import {mkdtemp, readFile, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'
import {parse} from 'yaml'
import {parseClusterText} from '../../../src/config/load.js'
import {renderClusterYaml, saveCluster} from '../../../src/config/save.js'
import {ConfigError} from '../../../src/errors.js'

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/config/', import.meta.url))

describe('renderClusterYaml', () => {
  it('round-trips every good file to the same config', async () => {
    for (const name of ['example.yaml', 'minimal.yaml', 'heartbeat.yaml', 'pacemaker.yaml', 'lvs.yaml']) {
      const text = await readFile(join(FIXTURES, 'good', name), 'utf8')
      const original = parseClusterText(text).config
      const rendered = renderClusterYaml(parse(text))
      assert.deepEqual(parseClusterText(rendered).config, original, name)
    }
  })

  it('writes the example the way a person would: header, flow maps, comments', async () => {
    const text = renderClusterYaml(parse(await readFile(join(FIXTURES, 'good', 'example.yaml'), 'utf8')), {fileName: '/x/prod.yaml'})
    assert.match(text, /^# hapair cluster file: DRBD \+ NFS \+ keepalived \(VRRP\), two nodes acting as one/)
    assert.match(text, /live in prod\.secrets\.yaml \(mode 0600\), never here/)
    assert.match(text, /^stack: keepalived # keepalived \| heartbeat \| pacemaker \| lvs$/m)
    assert.match(text, /^ {2}- name: node1 # must equal `uname -n` on that host$/m)
    assert.match(text, /^vip: \{ address: 192\.168\.1\.200, prefix: 24, interface: eth0 \}$/m)
    assert.match(text, /^ {4}ssh: \{ user: root, port: 22, identityFile: ~\/\.ssh\/id_ed25519 \}$/m)
    assert.match(text, /^storage: \{ disk: \/dev\/sdb, partition: \{ number: 1, size: 10G \} \} # size may be "rest"$/m)
    assert.ok(text.split('\n').every((l) => l.length <= 120), 'no line longer than 120 characters')
  })

  it('breaks a map that does not fit on one line into block style', () => {
    const servers = Array.from({length: 4}, (_, i) => ({name: `web${i + 1}`, address: `192.168.1.16${i}`}))
    const text = renderClusterYaml({name: 'w', stack: 'lvs', nodes: [], vip: {address: '1.2.3.4', prefix: 24, interface: 'eth0'}, lvs: {realServers: servers}})
    assert.match(text, /^lvs:\n {2}realServers:\n {4}- \{ name: web1, address: 192\.168\.1\.160 \}$/m)
  })
})

describe('saveCluster', () => {
  const input = () => parse(`name: t\nstack: keepalived\nnodes: [{name: a, address: 10.0.0.1}, {name: b, address: 10.0.0.2}]\nvip: {address: 10.0.0.9, prefix: 24, interface: eth0}\nstorage: {disk: /dev/vdb, partition: {number: 1, size: rest}}\nfilesystem: {mountPoint: /data}\nkeepalived: {virtualRouterId: 9}\n`)

  it('validates before writing and writes nothing when invalid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-save-'))
    const bad = {...input(), vip: {address: '10.0.1.9', prefix: 24, interface: 'eth0'}}
    await assert.rejects(saveCluster(join(dir, 'hapair.yaml'), bad), (e: unknown) => e instanceof ConfigError && e.problems[0].path === 'vip.address')
    await assert.rejects(stat(join(dir, 'hapair.yaml')), /ENOENT/)
  })

  it('refuses to replace an existing file unless told to', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-save-'))
    const file = join(dir, 'hapair.yaml')
    await writeFile(file, 'mine\n')
    await assert.rejects(saveCluster(file, input()), (e: unknown) => e instanceof ConfigError && /already exists/.test(e.message))
    assert.equal(await readFile(file, 'utf8'), 'mine\n')
    const saved = await saveCluster(file, input(), {overwrite: true})
    assert.equal(await readFile(file, 'utf8'), saved.text)
    assert.equal((await stat(file)).mode & 0o777, 0o644)
  })
})
