/**
 * Runs the native NFSv3 transport inside the Ganesha test's network namespace, driven over
 * stdin/stdout with one JSON object per line: `{id, op: write|read|list|close, url, content,
 * timeoutMs}` -> `{id, result, ms, sessions}`; `writer` runs the drill's ClientWriter for
 * `runMs` and answers with what it acknowledged. It does nothing unless HAPAIR_NFS3_DRIVER=1 (the
 * unit test runner loads every file under dist/test).
 */
import {setTimeout as sleep} from 'node:timers/promises'
import {createInterface} from 'node:readline'
import {ClientWriter, type TransportResult} from '../../../../src/drills/client-writer.js'
import {nativeNfs3} from '../../../../src/drills/nfs3/transport.js'

export interface DriverRequest {
  id: number
  op: 'write' | 'read' | 'list' | 'close' | 'writer'
  url?: string
  content?: string
  timeoutMs?: number
  intervalMs?: number
  runMs?: number
}

/** What the `writer` op reports (JSON in stdout). */
export interface WriterOutcome {
  acked: Array<[number, string]>
  attempts: number
  failed: string[]
  readBackProblems: string[]
}

if (process.env.HAPAIR_NFS3_DRIVER === '1') {
  const t = nativeNfs3(JSON.parse(process.env.HAPAIR_NFS3_OPTIONS ?? '{}'))
  const writer = async (req: DriverRequest): Promise<TransportResult> => {
    const w = new ClientWriter({transport: t, dirUrl: req.url!, intervalMs: req.intervalMs!, timeoutMs: req.timeoutMs!})
    w.start()
    await sleep(req.runMs!)
    await w.stop()
    const outcome: WriterOutcome = {
      acked: [...w.acked],
      attempts: w.attempts.length,
      failed: w.attempts.filter((a) => !a.ok).map((a) => a.error ?? ''),
      readBackProblems: w.readBackProblems.map((p) => `${p.seq}: ${p.error}`),
    }
    return {ok: true, stdout: JSON.stringify(outcome)}
  }
  for await (const line of createInterface({input: process.stdin})) {
    const req = JSON.parse(line) as DriverRequest
    const started = performance.now()
    const result =
      req.op === 'writer'
        ? await writer(req)
        : req.op === 'write'
        ? await t.write(req.url!, req.content!, req.timeoutMs!)
        : req.op === 'read'
          ? await t.read(req.url!, req.timeoutMs!)
          : req.op === 'list'
            ? await t.list(req.url!, req.timeoutMs!)
            : await t.close().then(() => ({ok: true}))
    process.stdout.write(`${JSON.stringify({id: req.id, result, ms: Math.round(performance.now() - started), sessions: t.sessionsOpened})}\n`)
  }
}
