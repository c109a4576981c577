import assert from 'node:assert/strict'
import {chmod, mkdtemp, readFile, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {generateSecrets, loadOrCreateSecrets, readSecrets, secretsPathFor, secretValues} from '../../../src/config/secrets.js'
import {secretsSchema} from '../../../src/config/schema.js'
import {ConfigError} from '../../../src/errors.js'

const tmp = () => mkdtemp(join(tmpdir(), 'hapair-secrets-'))

describe('secretsPathFor', () => {
  it('puts the secrets file beside the cluster file', () => {
    assert.equal(secretsPathFor('/etc/hapair/hapair.yaml'), '/etc/hapair/hapair.secrets.yaml')
    assert.equal(secretsPathFor('lab.yml'), 'lab.secrets.yaml')
    assert.equal(secretsPathFor('cluster'), 'cluster.secrets.yaml')
  })
})

describe('generateSecrets', () => {
  it('makes values of the documented shapes', () => {
    const s = generateSecrets()
    assert.match(s.drbdSharedSecret, /^[A-Za-z0-9_-]{32}$/)
    assert.match(s.keepalivedAuthPass, /^[A-Za-z0-9]{8}$/)
    assert.equal(Buffer.from(s.corosyncAuthkey, 'base64').length, 256)
    assert.match(s.heartbeatAuthkey, /^[0-9a-f]{40}$/)
    assert.ok(secretsSchema.safeParse(s).success)
  })

  it('never repeats', () => {
    const a = generateSecrets()
    const b = generateSecrets()
    for (const key of Object.keys(a) as (keyof typeof a)[]) assert.notEqual(a[key], b[key])
  })
})

describe('loadOrCreateSecrets', () => {
  it('generates once with mode 0600, then returns the same values', async () => {
    const path = join(await tmp(), 'hapair.secrets.yaml')
    const first = await loadOrCreateSecrets(path)
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    const again = await loadOrCreateSecrets(path)
    assert.deepEqual(again, first)
    const text = await readFile(path, 'utf8')
    assert.match(text, /^# hapair secrets/)
    assert.ok(text.includes(first.keepalivedAuthPass))
  })

  it('is created 0600 even under a permissive umask', async () => {
    const old = process.umask(0o000)
    try {
      const path = join(await tmp(), 'x.secrets.yaml')
      await loadOrCreateSecrets(path)
      assert.equal((await stat(path)).mode & 0o777, 0o600)
    } finally {
      process.umask(old)
    }
  })

  it('two concurrent first loads agree on one set of secrets', async () => {
    const path = join(await tmp(), 'hapair.secrets.yaml')
    const [a, b] = await Promise.all([loadOrCreateSecrets(path), loadOrCreateSecrets(path)])
    assert.deepEqual(a, b)
  })

  it('refuses a file readable by others, naming the mode and the fix, without printing secrets', async () => {
    const path = join(await tmp(), 'hapair.secrets.yaml')
    const secrets = await loadOrCreateSecrets(path)
    await chmod(path, 0o644)
    await assert.rejects(readSecrets(path), (e: unknown) => {
      assert.ok(e instanceof ConfigError)
      assert.equal(e.exitCode, 2)
      assert.match(e.message, /mode 0644/)
      assert.match(e.message, /chmod 600/)
      for (const value of secretValues(secrets)) assert.ok(!e.message.includes(value))
      return true
    })
    assert.equal((await stat(path)).mode & 0o777, 0o644, 'left as it was: the user decides')
  })

  it('rejects an auth_pass over 8 characters with the reason, not the value', async () => {
    const path = join(await tmp(), 'hapair.secrets.yaml')
    const s = generateSecrets()
    await writeFile(path, Object.entries({...s, keepalivedAuthPass: 'ninechars'}).map(([k, v]) => `${k}: ${v}`).join('\n'), {mode: 0o600})
    await assert.rejects(readSecrets(path), (e: unknown) => {
      assert.ok(e instanceof ConfigError)
      assert.equal(e.problems[0].path, 'keepalivedAuthPass')
      assert.match(e.problems[0].message, /first 8 characters/)
      assert.ok(!e.message.includes('ninechars'))
      assert.ok(!e.message.includes(s.drbdSharedSecret))
      return true
    })
  })

  it('with create: false does not generate', async () => {
    const path = join(await tmp(), 'hapair.secrets.yaml')
    await assert.rejects(loadOrCreateSecrets(path, {create: false}), ConfigError)
    assert.equal(await readSecrets(path), undefined)
  })
})

describe('secretValues', () => {
  it('lists every secret for masking', () => {
    const s = generateSecrets()
    assert.deepEqual(new Set(secretValues(s)), new Set(Object.values(s)))
  })
})
