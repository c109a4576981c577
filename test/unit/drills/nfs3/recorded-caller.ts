/** Test helpers: a recorded reply as the reader a procedure decodes, and a connection that answers with it. */
import assert from 'node:assert/strict'
import type {RpcCaller} from '../../../../src/drills/nfs3/nfs3.js'
import {parseReply} from '../../../../src/drills/nfs3/rpc.js'
import type {XdrReader} from '../../../../src/drills/nfs3/xdr.js'

export const results = (replyHex: string): XdrReader => {
  const r = parseReply(Buffer.from(replyHex, 'hex'))
  assert.ok(r.ok, 'a SUCCESS reply')
  return r.results
}

export type Sent = {prog: number; vers: number; proc: number; args: Buffer}

/** Answers every call with one recorded reply and keeps what was sent. */
export function recorded(replyHex: string): RpcCaller & {sent: Sent[]} {
  const sent: Sent[] = []
  return {
    sent,
    call: async (prog, vers, proc, _name, args) => {
      sent.push({prog, vers, proc, args})
      return results(replyHex)
    },
  }
}
