import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileFact, type SecretKey} from '../../../src/facts/file.js'
import {findSecretLeaks} from '../../../src/state/secret-encodings.js'
import {AUTHKEYS_SECRET_KEYS, renderAuthkeys} from '../../../src/templates/heartbeat.js'
import {testCluster} from '../../helpers/cluster.js'

const KEYS: SecretKey[] = [{key: 'shared-secret', quoted: true}, {key: 'auth_pass', quoted: false}]
const CONF = 'net {\n    shared-secret "s3cr3t-Value-0123456789";\n}\nauthentication {\n    auth_pass Pw12345x\n}\n'

/** Runs the fact's real command with bash against a real file, as a node would. */
function readOnThisMachine(content: string | null, keys?: SecretKey[]) {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-file-'))
  try {
    const path = join(dir, 'f.conf')
    if (content !== null) writeFileSync(path, content, {mode: 0o600})
    const fact = fileFact(path, keys ? {secretKeys: keys} : {})
    const stdout = execFileSync('bash', ['-c', fact.command], {encoding: 'utf8'})
    return {stdout, info: fact.parse(stdout, 0)}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

describe('fileFact', () => {
  it('a plain file: mode and content', () => {
    assert.deepEqual(readOnThisMachine('a=1\n').info, {exists: true, mode: 0o600, content: 'a=1\n'})
    assert.deepEqual(readOnThisMachine(null).info, {exists: false, mode: null, content: null})
  })

  it('a file with secrets: the node sends its hash and the content with the secrets replaced, never the secrets', () => {
    const {stdout, info} = readOnThisMachine(CONF, KEYS)
    assert.deepEqual(findSecretLeaks(stdout, ['s3cr3t-Value-0123456789', 'Pw12345x']), [])
    assert.equal(info.sha256, execFileSync('sha256sum', {input: CONF, encoding: 'utf8'}).split(' ')[0])
    assert.equal(info.content, 'net {\n    shared-secret "<secret>";\n}\nauthentication {\n    auth_pass <secret>\n}\n')
    assert.deepEqual(readOnThisMachine(null, KEYS).info, {exists: false, mode: null, content: null, sha256: null})
  })

  it("heartbeat's authkeys: the sha1 key never crosses the wire, its hash does", () => {
    const {config, secrets} = testCluster({stack: 'heartbeat', keepalived: undefined})
    const text = renderAuthkeys(config, secrets)
    const {stdout, info} = readOnThisMachine(text, [...AUTHKEYS_SECRET_KEYS])
    assert.deepEqual(findSecretLeaks(stdout, [secrets.heartbeatAuthkey]), [])
    assert.equal(info.sha256, execFileSync('sha256sum', {input: text, encoding: 'utf8'}).split(' ')[0])
    assert.match(info.content ?? '', /^auth 1\n1 sha1 <secret>\n$/m)
  })
})
