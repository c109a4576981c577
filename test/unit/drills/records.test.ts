import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {test} from 'node:test'
import {accountWrites, formatSeqs, listingScript, makeRecord, parseListing, recordIntact, recordName} from '../../../src/drills/records.js'
import {SHA256SUM_LISTING} from './fixtures.js'

test('a record is one line that checks itself; its sha256 is what sha256sum prints for the file', () => {
  const r = makeRecord(123, new Date('2024-05-25T11:58:51.000Z'), Buffer.from('00ff10', 'hex'))
  assert.match(r.content, /^123,2024-05-25T11:58:51\.000Z,00ff10,[0-9a-f]{64}\n$/)
  assert.equal(r.sha256, createHash('sha256').update(r.content).digest('hex'))
  assert.equal(recordIntact(r.content, 123), true)
  assert.equal(recordIntact(r.content, 124), false, 'wrong number')
  assert.equal(recordIntact(r.content.replace('00ff10', '00ff11'), 123), false, 'payload changed')
  assert.equal(recordIntact(r.content.slice(0, 20), 123), false, 'truncated')
  assert.equal(recordName(123), 'rec-000123')
})

test('the listing parser reads recorded sha256sum output and ignores other lines', () => {
  const found = parseListing(`${SHA256SUM_LISTING}sha256sum: ./rec-000003: Permission denied\n`)
  assert.equal(found.size, 2)
  assert.equal(found.get(1), '365f213b3570e506f91ad345237c2d5c9183a2c5eb429d0150c9625e29857e5a')
  assert.equal(found.get(2), '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881')
  assert.match(listingScript('/data/.hapair-drill/run 1'), /^cd '\/data\/\.hapair-drill\/run 1'\n/)
})

test('accounting: a record that is missing is lost, one whose content differs is corrupted', () => {
  const acked = new Map([
    [1, '365f213b3570e506f91ad345237c2d5c9183a2c5eb429d0150c9625e29857e5a'],
    [2, 'ffff1642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881'],
    [3, 'aaaa1642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881'],
  ])
  assert.deepEqual(accountWrites(acked, parseListing(SHA256SUM_LISTING)), {lost: [3], corrupted: [2]})
  assert.deepEqual(accountWrites(new Map(), parseListing(SHA256SUM_LISTING)), {lost: [], corrupted: []}, 'unacknowledged files are not counted')
})

test('record numbers are shown as ranges', () => {
  assert.equal(formatSeqs([7, 1, 2, 3, 9, 10]), '1-3, 7, 9-10')
  assert.equal(formatSeqs([1, 3, 5, 7], 2), '1, 3, ... (4 in all)')
})
