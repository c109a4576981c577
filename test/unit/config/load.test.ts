import assert from 'node:assert/strict'
import {mkdtemp, readFile, readdir, stat, writeFile} from 'node:fs/promises'
import {createHash} from 'node:crypto'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'
import {loadCluster, parseClusterText} from '../../../src/config/load.js'
import {ConfigError} from '../../../src/errors.js'

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/config/', import.meta.url))
const fixture = (p: string) => readFile(join(FIXTURES, p), 'utf8')
const problemsOf = async (p: string) => parseClusterText(await fixture(p)).problems
const byPath = (problems: {path: string}[], path: string) => {
  const found = problems.find((p) => p.path === path)
  assert.ok(found, `no problem at ${path}; got ${problems.map((p) => p.path).join(', ')}`)
  return found as {path: string; message: string; fix?: string; line?: number; column?: number}
}

describe('parseClusterText', () => {
  it('applies the documented defaults to the example file', async () => {
    const {config} = parseClusterText(await fixture('good/example.yaml'))
    assert.ok(config)
    assert.deepEqual(config.nodes[1].ssh, {user: 'root', port: 22, connectTimeout: 15})
    assert.equal(config.nodes[0].ssh.identityFile, '~/.ssh/id_ed25519')
    assert.deepEqual(config.drill, {client: 'local', writeIntervalMs: 100, timeoutSeconds: 120})
    assert.equal(config.nfs?.leaseTime, 10)
    assert.equal(config.keepalived?.unicast, true)
  })

  it('gives YAML syntax errors a line and column', async () => {
    const [p] = await problemsOf('bad/yaml-syntax.yaml')
    assert.equal(p.path, '')
    assert.match(p.message, /^YAML syntax: /)
    assert.equal(p.line, 9)
    assert.ok(p.column && p.column >= 1)
    assert.doesNotMatch(p.message, /\n/, 'one line, no source excerpt')
  })

  it('suggests the key that was meant, and points at the unknown key itself', async () => {
    const problems = await problemsOf('bad/unknown-keys.yaml')
    const adress = byPath(problems, 'nodes[0].adress')
    assert.match(adress.fix!, /did you mean `address`/)
    assert.deepEqual([adress.line, adress.column], [7, 5])
    assert.match(byPath(problems, 'vip.iface').fix!, /`interface`/)
    assert.match(byPath(problems, 'filesystem.mount_point').fix!, /`mountPoint`/)
    assert.match(byPath(problems, 'keepalived.virtual_router_id').fix!, /`virtualRouterId`/)
    const colour = byPath(problems, 'colour')
    assert.match(colour.message, /not a known key in the top level/)
    assert.match(colour.fix!, /allowed here are: name, stack, service, nodes/)
  })

  it('says what to add for a missing key, and where', async () => {
    const problems = await problemsOf('bad/missing-keys.yaml')
    assert.match(byPath(problems, 'name').fix!, /add `name: nfs-ha`/)
    const iface = byPath(problems, 'vip.interface')
    assert.equal(iface.message, 'is missing')
    assert.match(iface.fix!, /add `interface: eth0` under `vip`/)
    assert.equal(iface.line, 7)
    assert.match(byPath(problems, 'keepalived.virtualRouterId').fix!, /virtualRouterId: 51/)
  })

  it('reports out-of-range numbers with the allowed range', async () => {
    const p = byPath(await problemsOf('bad/vrid-range.yaml'), 'keepalived.virtualRouterId')
    assert.match(p.message, /256 is out of range: must be 1-255/)
    const prio = await problemsOf('bad/priority-range.yaml')
    assert.match(byPath(prio, 'nodes[0].priority').message, /must be 1-254/)
  })

  it('offers a did-you-mean for a misspelt stack', async () => {
    const p = byPath(await problemsOf('bad/unknown-stack.yaml'), 'stack')
    assert.match(p.message, /"keepalive" must be one of keepalived, heartbeat, pacemaker, lvs/)
    assert.match(p.fix!, /did you mean `stack: keepalived`/)
  })

  it('explains wrong types with a fix that keeps the value', async () => {
    const problems = await problemsOf('bad/wrong-types.yaml')
    assert.match(byPath(problems, 'nodes[0].ssh.port').fix!, /write `port: 22` without quotes/)
    assert.match(byPath(problems, 'keepalived.preempt').fix!, /write `preempt: true` \(YAML 1.2 reads yes as text\)/)
    assert.match(byPath(problems, 'vip').message, /must be a map, not text/)
  })

  it('refuses secrets in the cluster file and names the secrets file', async () => {
    const p = byPath(await problemsOf('bad/secret-in-cluster-file.yaml'), 'keepalived.authPass')
    assert.match(p.message, /secrets are never kept in the cluster file/)
    assert.match(p.fix!, /\.secrets\.yaml/)
    assert.doesNotMatch(JSON.stringify(p), /supersecret123/)
  })

  it('names the VIP subnet problem with the nodes it misses and a subnet to use', async () => {
    const p = byPath(await problemsOf('bad/vip-outside-subnet.yaml'), 'vip.address')
    assert.match(p.message, /192\.168\.2\.200\/24 does not contain node1 \(192\.168\.1\.151\) or node2/)
    assert.match(p.fix!, /192\.168\.1\.0\/24/)
    assert.equal(p.line, 10)
  })

  it('points a port collision at the port hapair chooses, with a free one', async () => {
    const p = byPath(await problemsOf('bad/ports-collide-ssh.yaml'), 'drbd.port')
    assert.match(p.message, /port 2222 is already used by nodes\[1\]\.ssh\.port \(SSH\)/)
    assert.match(p.fix!, /e\.g\. 7788/)
    const nfs = byPath(await problemsOf('bad/ports-collide-nfs.yaml'), 'drbd.port')
    assert.match(nfs.message, /nfsd/)
  })

  it('sorts problems by line so they read top to bottom', async () => {
    const problems = await problemsOf('bad/everything-wrong.yaml')
    const lines = problems.map((p) => p.line ?? Infinity)
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b))
  })

  it('accepts every export client form exports(5) knows', async () => {
    const problems = await problemsOf('bad/exports-clients.yaml')
    assert.deepEqual(problems.map((p) => p.path).sort(), ['nfs.exports[0].clients', 'nfs.exports[1].clients', 'nfs.exports[2].clients'])
  })
})

describe('loadCluster', () => {
  it('says to run hapair init when the file is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-load-'))
    await assert.rejects(loadCluster(join(dir, 'hapair.yaml')), (e: unknown) => {
      assert.ok(e instanceof ConfigError)
      assert.equal(e.exitCode, 2)
      assert.match(e.problems[0].fix!, /hapair init/)
      return true
    })
  })

  it('returns config, secrets, both paths and the sha256 of the bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-load-'))
    const text = await fixture('good/example.yaml')
    await writeFile(join(dir, 'cluster.yml'), text)
    const loaded = await loadCluster(join(dir, 'cluster.yml'))
    assert.equal(loaded.file, join(dir, 'cluster.yml'))
    assert.equal(loaded.secretsFile, join(dir, 'cluster.secrets.yaml'))
    assert.equal(loaded.hash, createHash('sha256').update(text).digest('hex'))
    assert.equal(loaded.config.name, 'nfs-ha')
    assert.equal(loaded.secrets.keepalivedAuthPass.length, 8)
    assert.equal((await stat(loaded.secretsFile)).mode & 0o777, 0o600)
    // The cluster file is untouched: no secret was written into it.
    assert.equal(await readFile(join(dir, 'cluster.yml'), 'utf8'), text)
    const again = await loadCluster(join(dir, 'cluster.yml'))
    assert.deepEqual(again.secrets, loaded.secrets)
  })

  it('with createSecrets: false, a missing secrets file is a ConfigError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-load-'))
    await writeFile(join(dir, 'hapair.yaml'), await fixture('good/minimal.yaml'))
    await assert.rejects(loadCluster(join(dir, 'hapair.yaml'), {createSecrets: false}), ConfigError)
    assert.deepEqual(await readdir(dir), ['hapair.yaml'])
  })
})

describe('stack defaults', () => {
  it('a heartbeat file without its section gets the section with defaults; pacemaker has no default for fencing', async () => {
    const base = (await readFile(join(FIXTURES, 'good', 'minimal.yaml'), 'utf8')).replace(/^keepalived:.*$/m, '')
    const hb = parseClusterText(base.replace('stack: keepalived', 'stack: heartbeat')).config
    assert.deepEqual(hb?.heartbeat, {keepalive: 1, deadtime: 5, warntime: 3, initdead: 20, udpPort: 694, autoFailback: false, media: 'ucast', mcastGroup: '225.0.0.1'})
    const none = parseClusterText(base.replace('stack: keepalived', 'stack: pacemaker')).problems
    assert.deepEqual(none.map((p) => p.path), ['pacemaker'])
    assert.match(none[0].fix ?? "", /fencing: none/)
    const pm = parseClusterText(`${base.replace('stack: keepalived', 'stack: pacemaker')}\npacemaker: { fencing: none }\n`).config
    assert.deepEqual(pm?.pacemaker, {clusterName: 'hapair', transport: 'knet', port: 5405, stickiness: 100, token: 3000, crypto: {cipher: 'aes256', hash: 'sha256'}, fencing: 'none'})
    assert.equal(parseClusterText(await readFile(join(FIXTURES, 'good', 'minimal.yaml'), 'utf8')).config?.heartbeat, undefined)
  })
})
