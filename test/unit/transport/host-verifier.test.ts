import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, it} from 'node:test'
import {ConnectError} from '../../../src/errors.js'
import {fingerprintOf} from '../../../src/transport/host-key.js'
import {hostKeyPolicy, readKnownHosts, verifyHostKey, type HostKeyPolicy} from '../../../src/transport/host-verifier.js'

const ED = 'AAAAC3NzaC1lZDI1NTE5AAAAIFusGb74pCu9Xl9U/Tu35GkzfjFvEA+rhGhimSrsi5FD'
const ED2 = 'AAAAC3NzaC1lZDI1NTE5AAAAIFWVUIA3yUZ7UsSDr0I+OHmGqrzf/aPrnmSpn+NjU99C'
const blob = (b64: string) => Buffer.from(b64, 'base64')

let dir: string
let file: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hapair-kh-'))
  file = join(dir, 'ssh', 'known_hosts') // the directory does not exist yet, as on a fresh machine
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

function policy(over: Partial<HostKeyPolicy> = {}): HostKeyPolicy {
  return {node: 'node1', address: '10.0.0.1', port: 2222, knownHostsFile: file, readGlobal: false, acceptNew: false, ...over}
}

async function verify(p: HostKeyPolicy, key: string): Promise<void> {
  await verifyHostKey(p, readKnownHosts(p), blob(key))
}

describe('verifyHostKey', () => {
  it('refuses an unknown key without consent, naming the fingerprint and both ways to accept', async () => {
    await assert.rejects(verify(policy(), ED), (error: ConnectError) => {
      assert.ok(error instanceof ConnectError)
      assert.match(error.message, /node1: host key for node1 \(10\.0\.0\.1:2222\) is not known: ssh-ed25519 SHA256:fO8WkiIH2Hz12ECj44NFcV609UidyUZRS4WH\+48vJ1w/)
      assert.match(error.hint!, /--accept-new-host-keys/)
      assert.match(error.hint!, /hostKey: SHA256:fO8W/)
      return true
    })
    assert.ok(!existsSync(file), 'nothing was recorded')
  })

  it('accepts and records an unknown key with acceptNew, then knows it', async () => {
    await verify(policy({acceptNew: true}), ED)
    assert.equal(readFileSync(file, 'utf8'), `[10.0.0.1]:2222 ssh-ed25519 ${ED}\n`)
    assert.equal(statSync(file).mode & 0o777, 0o600)
    await verify(policy(), ED) // no consent needed any more
  })

  it('asks confirm (interactive) and records only on yes', async () => {
    const asked: string[] = []
    const no = policy({confirm: async (node, fp, type) => (asked.push(`${node} ${type} ${fp}`), false)})
    await assert.rejects(verify(no, ED), /is not known/)
    assert.deepEqual(asked, ['node1 ssh-ed25519 SHA256:fO8WkiIH2Hz12ECj44NFcV609UidyUZRS4WH+48vJ1w'])
    assert.ok(!existsSync(file))
    await verify(policy({confirm: async () => true}), ED)
    assert.match(readFileSync(file, 'utf8'), /^\[10\.0\.0\.1\]:2222 ssh-ed25519 /)
  })

  it('refuses a CHANGED key loudly even with acceptNew, telling how to remove the old one', async () => {
    writeFileSync(join(dir, 'kh'), `# mine\n[10.0.0.1]:2222 ssh-ed25519 ${ED}\n`)
    const p = policy({knownHostsFile: join(dir, 'kh'), acceptNew: true})
    await assert.rejects(verify(p, ED2), (error: ConnectError) => {
      assert.match(error.message, /host key for node1 \(10\.0\.0\.1:2222\) has CHANGED/)
      assert.match(error.message, /man-in-the-middle/)
      assert.match(error.message, new RegExp(`it now offers ssh-ed25519 ${fingerprintOf(blob(ED2)).replace(/[+/]/g, '\\$&')}`))
      assert.match(error.message, /kh:2 .*records SHA256:fO8W/)
      assert.match(error.hint!, /ssh-keygen -f .*kh -R '\[10\.0\.0\.1\]:2222'/)
      return true
    })
    assert.equal(readFileSync(join(dir, 'kh'), 'utf8'), `# mine\n[10.0.0.1]:2222 ssh-ed25519 ${ED}\n`, 'known_hosts untouched')
  })

  it('a pinned fingerprint decides alone: right passes without known_hosts, wrong is refused', async () => {
    await verify(policy({pinned: fingerprintOf(blob(ED))}), ED)
    assert.ok(!existsSync(file), 'a pinned key is not written to known_hosts')
    await assert.rejects(verify(policy({pinned: fingerprintOf(blob(ED2)), acceptNew: true}), ED), /is ssh-ed25519 SHA256:fO8W.*but the cluster file pins SHA256:/)
  })

  it('appends after a last line that lacks its newline', async () => {
    writeFileSync(join(dir, 'kh'), `other ssh-ed25519 ${ED2}`)
    await verify(policy({knownHostsFile: join(dir, 'kh'), acceptNew: true}), ED)
    assert.equal(readFileSync(join(dir, 'kh'), 'utf8'), `other ssh-ed25519 ${ED2}\n[10.0.0.1]:2222 ssh-ed25519 ${ED}\n`)
  })
})

describe('hostKeyPolicy', () => {
  it('uses the configured file alone, or ~/.ssh/known_hosts plus the global file', () => {
    const own = hostKeyPolicy({node: 'n', address: '10.0.0.1', ssh: {port: 22, knownHostsFile: '/etc/hapair/kh'}}, {acceptNewHostKeys: false, interactive: false})
    assert.equal(own.knownHostsFile, '/etc/hapair/kh')
    assert.equal(own.readGlobal, false)
    const dflt = hostKeyPolicy({node: 'n', address: '10.0.0.1', ssh: {port: 22}}, {acceptNewHostKeys: true, interactive: false})
    assert.match(dflt.knownHostsFile, /\/\.ssh\/known_hosts$/)
    assert.equal(dflt.readGlobal, true)
    assert.equal(dflt.acceptNew, true)
  })

  it('offers confirmation only when interactive', () => {
    const confirm = async () => true
    const target = {node: 'n', address: '10.0.0.1', ssh: {port: 22}}
    assert.equal(hostKeyPolicy(target, {acceptNewHostKeys: false, interactive: false, confirmHostKey: confirm}).confirm, undefined)
    assert.equal(hostKeyPolicy(target, {acceptNewHostKeys: false, interactive: true, confirmHostKey: confirm}).confirm, confirm)
  })
})
