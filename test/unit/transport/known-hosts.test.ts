import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {checkKnownHosts, entryMatches, knownHostName, knownHostsLine, knownKeyTypes, parseKnownHosts} from '../../../src/transport/known-hosts.js'

const ED = 'AAAAC3NzaC1lZDI1NTE5AAAAIFusGb74pCu9Xl9U/Tu35GkzfjFvEA+rhGhimSrsi5FD'
const ECDSA =
  'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHt/3i53Tk8LguJBBVCFdqFTuSymIlPK1OMbVzYbijJeVP0cCZCDvxLVk25JngR5ADyeNLHX2vNAjZJQ8nvx9wI='
/** Another ed25519 key: the "changed" one. */
const ED2 = 'AAAAC3NzaC1lZDI1NTE5AAAAIFWVUIA3yUZ7UsSDr0I+OHmGqrzf/aPrnmSpn+NjU99C'
const blob = (b64: string) => Buffer.from(b64, 'base64')

/** Written by `ssh-keygen -H` (OpenSSH 9.2) from "1.2.3.4 ssh-ed25519 ED" and "[10.0.0.5]:2222 ecdsa-sha2-nistp256 ECDSA". */
const HASHED = `|1|xceRdxEpZHsrG3qzInw1H/pHDzM=|TeAsjImQFot7B+5W44kfmj2OreI= ssh-ed25519 ${ED}
|1|IDDVJ9sd6YdeR8YQRhps7PjmFLw=|eioeGO+Lqi9o2vJmk2/u098WWN0= ecdsa-sha2-nistp256 ${ECDSA}
`

describe('parseKnownHosts', () => {
  it('reads patterns, type, key and line numbers; skips comments, blanks and junk', () => {
    const entries = parseKnownHosts(
      `# comment\n\nnode1,10.0.0.1 ssh-ed25519 ${ED} root@node1\n[10.0.0.2]:2222 ecdsa-sha2-nistp256 ${ECDSA}\nbroken-line\n@unknown-marker h ssh-ed25519 ${ED}\n`,
      '/root/.ssh/known_hosts',
    )
    assert.equal(entries.length, 2)
    assert.deepEqual(entries[0].patterns, ['node1', '10.0.0.1'])
    assert.equal(entries[0].line, 3)
    assert.equal(entries[0].source, '/root/.ssh/known_hosts')
    assert.equal(entries[0].keyType, 'ssh-ed25519')
    assert.deepEqual(entries[0].key, blob(ED))
    assert.deepEqual(entries[1].patterns, ['[10.0.0.2]:2222'])
    assert.equal(entries[1].line, 4)
  })

  it('reads @revoked and @cert-authority markers', () => {
    const [revoked, ca] = parseKnownHosts(`@revoked * ssh-ed25519 ${ED}\n@cert-authority *.lab ssh-ed25519 ${ED2}\n`)
    assert.equal(revoked.marker, 'revoked')
    assert.equal(ca.marker, 'cert-authority')
  })
})

describe('knownHostName', () => {
  it('is the bare address on port 22 and [address]:port otherwise', () => {
    assert.equal(knownHostName('10.0.0.1', 22), '10.0.0.1')
    assert.equal(knownHostName('10.0.0.1', 2222), '[10.0.0.1]:2222')
  })
})

describe('entryMatches', () => {
  const [entry] = parseKnownHosts(`node1,10.0.0.*,!10.0.0.9,[10.0.0.1]:2222 ssh-ed25519 ${ED}`)
  it('matches comma lists, wildcards and bracketed ports', () => {
    assert.ok(entryMatches(entry, 'node1'))
    assert.ok(entryMatches(entry, 'NODE1'), 'host names are case-insensitive')
    assert.ok(entryMatches(entry, '10.0.0.7'))
    assert.ok(entryMatches(entry, '[10.0.0.1]:2222'))
    assert.ok(!entryMatches(entry, '[10.0.0.2]:2222'), 'the * does not reach into a bracketed name')
    assert.ok(!entryMatches(entry, 'node10'))
  })

  it('a matching negated pattern rules the entry out', () => {
    assert.ok(!entryMatches(entry, '10.0.0.9'))
  })

  it('matches hashed entries written by ssh-keygen -H', () => {
    const [first, second] = parseKnownHosts(HASHED)
    assert.ok(entryMatches(first, '1.2.3.4'))
    assert.ok(!entryMatches(first, '1.2.3.5'))
    assert.ok(entryMatches(second, '[10.0.0.5]:2222'))
    assert.ok(!entryMatches(second, '10.0.0.5'), 'the port is part of the hashed name')
  })
})

describe('checkKnownHosts', () => {
  it('known: the recorded key equals the offered one (plain and hashed)', () => {
    const plain = parseKnownHosts(`10.0.0.1 ssh-ed25519 ${ED}\n`)
    assert.equal(checkKnownHosts(plain, '10.0.0.1', blob(ED)).kind, 'known')
    const hashed = parseKnownHosts(HASHED)
    assert.equal(checkKnownHosts(hashed, '[10.0.0.5]:2222', blob(ECDSA)).kind, 'known')
  })

  it('changed: same host, same type, another key', () => {
    const entries = parseKnownHosts(`10.0.0.1 ssh-ed25519 ${ED}\n`)
    const verdict = checkKnownHosts(entries, '10.0.0.1', blob(ED2))
    assert.equal(verdict.kind, 'changed')
    assert.equal(verdict.kind === 'changed' && verdict.entries[0].line, 1)
  })

  it('changed is also caught through a hashed entry', () => {
    assert.equal(checkKnownHosts(parseKnownHosts(HASHED), '1.2.3.4', blob(ED2)).kind, 'changed')
  })

  it('known wins when one of several keys of the host matches (multiple types)', () => {
    const entries = parseKnownHosts(`10.0.0.1 ecdsa-sha2-nistp256 ${ECDSA}\n10.0.0.1 ssh-ed25519 ${ED}\n`)
    assert.equal(checkKnownHosts(entries, '10.0.0.1', blob(ED)).kind, 'known')
    assert.equal(checkKnownHosts(entries, '10.0.0.1', blob(ECDSA)).kind, 'known')
    assert.deepEqual(knownKeyTypes(entries, '10.0.0.1'), ['ecdsa-sha2-nistp256', 'ssh-ed25519'])
  })

  it('other-types: the host is known only with keys of another type', () => {
    const entries = parseKnownHosts(`10.0.0.1 ecdsa-sha2-nistp256 ${ECDSA}\n`)
    assert.deepEqual(checkKnownHosts(entries, '10.0.0.1', blob(ED)), {kind: 'other-types', types: ['ecdsa-sha2-nistp256']})
  })

  it('unknown: no entry names the host (a port-22 entry does not cover another port)', () => {
    const entries = parseKnownHosts(`10.0.0.1 ssh-ed25519 ${ED}\n`)
    assert.equal(checkKnownHosts(entries, '[10.0.0.1]:2222', blob(ED)).kind, 'unknown')
    assert.equal(checkKnownHosts([], '10.0.0.1', blob(ED)).kind, 'unknown')
  })

  it('revoked keys are refused even when also listed as known', () => {
    const entries = parseKnownHosts(`@revoked * ssh-ed25519 ${ED}\n10.0.0.1 ssh-ed25519 ${ED}\n`)
    assert.equal(checkKnownHosts(entries, '10.0.0.1', blob(ED)).kind, 'revoked')
  })

  it('cert-authority lines do not count as host keys', () => {
    const entries = parseKnownHosts(`@cert-authority 10.0.0.1 ssh-ed25519 ${ED}\n`)
    assert.equal(checkKnownHosts(entries, '10.0.0.1', blob(ED)).kind, 'unknown')
  })
})

describe('knownHostsLine', () => {
  it('writes a plain line that parses back to a known entry', () => {
    const line = knownHostsLine('[10.0.0.1]:2222', blob(ED))
    assert.equal(line, `[10.0.0.1]:2222 ssh-ed25519 ${ED}\n`)
    assert.equal(checkKnownHosts(parseKnownHosts(line), '[10.0.0.1]:2222', blob(ED)).kind, 'known')
  })
})
