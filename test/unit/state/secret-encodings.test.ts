import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {encodedForms, findSecretLeaks, maskEncoded} from '../../../src/state/secret-encodings.js'

const SECRET = 'tEsTsEcReT-0123456789abcdefABCDEF'
const PASS = 'Ab3dEf7h'

/** The secret inside a config file, base64-encoded the way `base64 -w0 FILE` would send it. */
const inFileB64 = (prefix: string, secret = SECRET) => Buffer.from(`${prefix}shared-secret "${secret}";\n`).toString('base64')

describe('findSecretLeaks', () => {
  it('finds a secret as itself, in hex (both cases) and in base64 at each of the three alignments', () => {
    assert.deepEqual(findSecretLeaks(`x ${SECRET} y`, [SECRET]).map((l) => l.encoding), ['plain'])
    assert.ok(findSecretLeaks(Buffer.from(SECRET).toString('hex'), [SECRET]).some((l) => l.encoding === 'hex'))
    assert.ok(findSecretLeaks(Buffer.from(SECRET).toString('hex').toUpperCase(), [SECRET]).some((l) => l.encoding === 'HEX'))
    for (const prefix of ['', 'a', 'ab']) {
      const leaks = findSecretLeaks(`stdout: ${inFileB64(prefix)}\n`, [SECRET])
      assert.ok(leaks.some((l) => l.encoding === 'base64'), `alignment ${prefix.length}`)
      assert.ok(leaks.some((l) => l.encoding === 'base64-decoded'), `alignment ${prefix.length}`)
    }
  })

  it('finds base64 that was cut mid-group or written url-safe', () => {
    const cut = inFileB64('abc').slice(1) // the run no longer starts on a 4-character boundary
    assert.ok(findSecretLeaks(cut, [SECRET]).length > 0)
    const url = Buffer.from(`??>${PASS}??>`).toString('base64url')
    assert.ok(findSecretLeaks(url, [PASS]).length > 0)
  })

  it('names which secret leaked; clean text, masked text and other secrets find nothing', () => {
    assert.deepEqual(findSecretLeaks(`auth_pass ${PASS}`, [SECRET, PASS]).map((l) => l.secret), [1])
    assert.deepEqual(findSecretLeaks('shared-secret "<secret>"; sha256 0a1b2c3d', [SECRET, PASS]), [])
    assert.deepEqual(findSecretLeaks(inFileB64('', 'another-secret-entirely-000000000'), [SECRET]), [])
    assert.deepEqual(findSecretLeaks(maskEncoded(`${SECRET} ${inFileB64('a')} ${Buffer.from(SECRET).toString('hex')}`, [SECRET]), [SECRET]), [])
  })
})

describe('maskEncoded', () => {
  it('masks base64 at every alignment, hex and plain, so the scanner finds nothing after it', () => {
    for (const prefix of ['', 'x', 'xy']) {
      const masked = maskEncoded(`out: ${inFileB64(prefix)}`, [SECRET])
      assert.match(masked, /\*{8}/)
      assert.deepEqual(findSecretLeaks(masked, [SECRET]), [], `alignment ${prefix.length}`)
    }
    assert.equal(maskEncoded(`k=${Buffer.from(PASS).toString('hex')}`, [PASS]), 'k=********')
  })

  it('gives a secret at most 9 forms, none empty and none repeated', () => {
    const forms = encodedForms(PASS).map((f) => f.text)
    assert.ok(forms.length >= 5 && forms.length <= 9)
    assert.equal(new Set(forms).size, forms.length)
    assert.ok(forms.every((f) => f.length >= 4))
  })
})
