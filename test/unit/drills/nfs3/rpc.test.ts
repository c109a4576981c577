import assert from 'node:assert/strict'
import {test} from 'node:test'
import {describeReplyError, drillAuth, encodeAuthUnix, encodeCall, frameRecord, parseReply, RecordAssembler} from '../../../../src/drills/nfs3/rpc.js'
import {encodeGetPort} from '../../../../src/drills/nfs3/portmap.js'
import {encodeDirpath} from '../../../../src/drills/nfs3/mount.js'
import {XdrError} from '../../../../src/drills/nfs3/xdr.js'
import {CALL_GETPORT_MOUNTD, CALL_MNT, REPLY_GARBAGE_ARGS, REPLY_GETPORT_MOUNTD, REPLY_PROC_UNAVAIL, REPLY_PROG_MISMATCH} from './ganesha-recorded.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')
/** Hex with a `# comment` per line. */
const annotated = (s: string) => hex(s.split('\n').map((l) => l.replace(/#.*/, '')).join(''))
const auth = drillAuth(0x6b013d37)

test('a GETPORT call, byte for byte as RFC 5531 §9 and RFC 1833 lay it out', () => {
  const call = frameRecord(encodeCall({xid: 0x1aa3d65e, prog: 100000, vers: 2, proc: 3}, encodeAuthUnix(auth), encodeGetPort(100005, 3)))
  const expected = annotated(`
    80000058                            # record mark: last fragment, 88 bytes
    1aa3d65e 00000000                   # xid, CALL
    00000002                            # rpcvers 2
    000186a0 00000002 00000003          # portmapper (100000) v2 GETPORT (3)
    00000001 00000020                   # cred AUTH_UNIX, 32 bytes:
    6b013d37                            #   stamp
    0000000c 6861706169722d6472696c6c   #   machinename "hapair-drill" (12 bytes, no padding)
    00000000 00000000 00000000          #   uid 0, gid 0, no gids
    00000000 00000000                   # verf AUTH_NONE, empty
    000186a5 00000003 00000006 00000000 # mapping: mountd (100005) v3, TCP (6), port 0
  `)
  assert.equal(call.toString('hex'), expected.toString('hex'))
  // and the same bytes as the call captured going to Ganesha's rpcbind (tshark dissected it cleanly)
  assert.equal(call.toString('hex'), CALL_GETPORT_MOUNTD)
})

test('a MNT call matches the captured one', () => {
  const call = frameRecord(encodeCall({xid: 0x4110dcf2, prog: 100005, vers: 3, proc: 1}, encodeAuthUnix(auth), encodeDirpath('/tmp/gtry/export')))
  assert.equal(call.toString('hex'), CALL_MNT)
})

test('record marking: multi-fragment records reassembled from a stream cut at every byte', () => {
  const a = Buffer.from('first reply, in three fragments..')
  const b = Buffer.from('second')
  const stream = Buffer.concat([frameRecord(a, 12), frameRecord(b)])
  assert.equal(frameRecord(a, 12).length, a.length + 3 * 4)
  assert.equal(frameRecord(a, 12).readUInt32BE(0), 12) // not the last fragment
  assert.equal(frameRecord(a, 12).readUInt32BE(32), 0x80000000 + 9)
  for (let cut = 0; cut <= stream.length; cut++) {
    const asm = new RecordAssembler()
    const got = [...asm.push(stream.subarray(0, cut)), ...asm.push(stream.subarray(cut))]
    assert.deepEqual(got.map(String), [String(a), String(b)], `cut at ${cut}`)
  }
  const bytewise = new RecordAssembler()
  const one: Buffer[] = []
  for (const byte of stream) one.push(...bytewise.push(Buffer.from([byte])))
  assert.deepEqual(one.map(String), [String(a), String(b)])
})

test('record marking: an absurd record length means the stream is out of step', () => {
  assert.throws(() => new RecordAssembler(1024).push(hex('80100000')), /RPC record larger than 1024 bytes/)
})

test('replies recorded from Ganesha: SUCCESS with results, and the accepted-but-failed kinds', () => {
  const ok = parseReply(hex(REPLY_GETPORT_MOUNTD))
  assert.equal(ok.xid, 0x9cd79bed)
  assert.ok(ok.ok)
  assert.equal(ok.results.uint32(), 20048)

  const mismatch = parseReply(hex(REPLY_PROG_MISMATCH))
  assert.deepEqual(mismatch, {xid: 0xe78ce4a9, ok: false, code: 'PROG_MISMATCH', low: 3, high: 3})
  assert.equal(describeReplyError(mismatch as never, 'nfs v4 NULL'), 'nfs v4 NULL refused: PROG_MISMATCH (server has versions 3-3)')
  assert.deepEqual(parseReply(hex(REPLY_PROC_UNAVAIL)), {xid: 0xe78ce4aa, ok: false, code: 'PROC_UNAVAIL'})
  const garbage = parseReply(hex(REPLY_GARBAGE_ARGS))
  assert.deepEqual(garbage, {xid: 0xe78ce4ab, ok: false, code: 'GARBAGE_ARGS'})
  assert.equal(describeReplyError(garbage as never, 'nfs v3 GETATTR'), 'nfs v3 GETATTR refused: GARBAGE_ARGS: the server could not decode the arguments')
})

test('denied replies (RFC 5531 rejected_reply): RPC_MISMATCH and AUTH_ERROR with its reason', () => {
  // xid 7, REPLY, MSG_DENIED, AUTH_ERROR, AUTH_TOOWEAK: what Linux nfsd answers a client on an unprivileged port
  const weak = parseReply(hex('00000007 00000001 00000001 00000001 00000005'))
  assert.deepEqual(weak, {xid: 7, ok: false, code: 'AUTH_TOOWEAK'})
  assert.match(describeReplyError(weak as never, 'nfs v3 WRITE'), /^nfs v3 WRITE refused: AUTH_TOOWEAK: .*unprivileged source port/)
  assert.deepEqual(parseReply(hex('00000008 00000001 00000001 00000000 00000002 00000002')), {xid: 8, ok: false, code: 'RPC_MISMATCH', low: 2, high: 2})
  assert.deepEqual(parseReply(hex('00000009 00000001 00000001 00000001 00000001')), {xid: 9, ok: false, code: 'AUTH_BADCRED'})
})

test('a record that is not a reply is a protocol error', () => {
  assert.throws(() => parseReply(hex('00000001 00000000 00000002')), /expected an RPC reply, got message type 0/)
  assert.throws(() => parseReply(hex('00000001 00000001 00000007')), /unknown reply_stat 7/)
  assert.throws(() => parseReply(hex('00000001 00000001')), XdrError)
})
