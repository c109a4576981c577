/**
 * A minimal QMP client: connect to a guest's unix socket, negotiate, run one command, close.
 * Used for the faults that need qemu's cooperation (pause/resume, link down/up) and for status.
 */
import {createConnection} from 'node:net'
import {LabError} from './run.js'

export async function qmp(socketPath: string, execute: string, args?: Record<string, unknown>, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(socketPath)
    let buffer = ''
    let stage: 'greeting' | 'capabilities' | 'command' = 'greeting'
    const fail = (err: Error) => {
      sock.destroy()
      reject(err)
    }
    const timer = setTimeout(() => fail(new LabError(`QMP ${execute} on ${socketPath}: no answer in ${timeoutMs} ms`)), timeoutMs)
    const send = (msg: object) => sock.write(JSON.stringify(msg) + '\n')
    sock.setEncoding('utf8')
    sock.on('error', (err) => {
      clearTimeout(timer)
      fail(new LabError(`QMP ${execute} on ${socketPath}: ${err.message}`))
    })
    sock.on('data', (chunk: string) => {
      buffer += chunk
      let nl: number
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim()
        buffer = buffer.slice(nl + 1)
        if (!line) continue
        const msg = JSON.parse(line) as {QMP?: unknown; return?: unknown; error?: {desc: string}; event?: string}
        if (msg.event) continue // asynchronous events are not answers
        if (stage === 'greeting' && msg.QMP) {
          stage = 'capabilities'
          send({execute: 'qmp_capabilities'})
        } else if (msg.error) {
          clearTimeout(timer)
          fail(new LabError(`QMP ${execute}: ${msg.error.desc}`))
        } else if (stage === 'capabilities') {
          stage = 'command'
          send(args ? {execute, arguments: args} : {execute})
        } else if (stage === 'command') {
          clearTimeout(timer)
          sock.end()
          resolve(msg.return)
        }
      }
    })
  })
}
