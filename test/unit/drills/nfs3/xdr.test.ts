import assert from 'node:assert/strict'
import {test} from 'node:test'
import {XdrError, XdrReader, XdrWriter} from '../../../../src/drills/nfs3/xdr.js'

test('XDR: words are big-endian, hypers are 64-bit bigints, opaques padded to 4 bytes with zeros', () => {
  const w = new XdrWriter().uint32(0x01020304).uint64(0x1122334455667788n).bool(true).opaque(Buffer.from('abcde')).string('hi').fixedOpaque(Buffer.from([9, 8, 7]), 3)
  assert.equal(
    w.toBuffer().toString('hex'),
    '01020304' + '1122334455667788' + '00000001' + '00000005' + '6162636465000000' + '00000002' + '68690000' + '09080700',
  )
  assert.equal(w.length, 40)
  const r = new XdrReader(w.toBuffer())
  assert.equal(r.uint32(), 0x01020304)
  assert.equal(r.uint64(), 0x1122334455667788n)
  assert.equal(r.bool(), true)
  assert.equal(r.opaque().toString(), 'abcde')
  assert.equal(r.string(), 'hi')
  assert.deepEqual([...r.fixedOpaque(3)], [9, 8, 7])
  assert.equal(r.remaining, 0)
})

test('XDR: lengths that are multiples of four carry no padding; empty opaque is one zero word', () => {
  assert.equal(new XdrWriter().opaque(Buffer.from('abcd')).toBuffer().toString('hex'), '0000000461626364')
  assert.equal(new XdrWriter().opaque(Buffer.alloc(0)).toBuffer().toString('hex'), '00000000')
  assert.equal(new XdrWriter().uint64(2n ** 64n - 1n).toBuffer().toString('hex'), 'ffffffffffffffff')
})

test('XDR: a short or out-of-range reply is an error, never zeros', () => {
  assert.throws(() => new XdrReader(Buffer.from('000000', 'hex')).uint32(), /reply too short: uint32 needs 4 bytes at offset 0, only 3 left/)
  assert.throws(() => new XdrReader(Buffer.from('00000008616263', 'hex')).opaque(), XdrError)
  assert.throws(() => new XdrReader(Buffer.from('00000041', 'hex')).opaque(64), /opaque of 65 bytes exceeds its limit of 64/)
  assert.throws(() => new XdrReader(Buffer.from('00000002', 'hex')).bool(), /boolean must be 0 or 1/)
  assert.throws(() => new XdrWriter().uint32(-1), /not an unsigned 32-bit integer/)
  assert.throws(() => new XdrWriter().uint32(2 ** 32), XdrError)
  assert.throws(() => new XdrWriter().uint64(-1n), /not an unsigned 64-bit integer/)
  assert.throws(() => new XdrWriter().fixedOpaque(Buffer.alloc(7), 8), /fixed opaque needs 8 bytes, got 7/)
  assert.throws(() => new XdrWriter().string('x'.repeat(256), 255), /exceeds its limit of 255/)
})
