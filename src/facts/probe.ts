/**
 * Does a TCP service answer on this host itself: connect (TCP_CHECK) or ask one HTTP page for its
 * status (HTTP_GET), through bash's /dev/tcp so real servers need no curl. Read-only, bounded by
 * `timeout`.
 */
import {shq, type Fact} from './fact.js'

export type ProbeResult = {answered: true; status?: number} | {answered: false; why: string}

export interface ProbeTarget {
  address: string
  port: number
  /** HTTP path to GET; left out, only connect. */
  path?: string
  timeoutS: number
}

export function probeFact(t: ProbeTarget): Fact<ProbeResult> {
  const connect = `exec 3<>/dev/tcp/${t.address}/${t.port}`
  const body = t.path === undefined ? `${connect} && echo connected` : `${connect} && printf 'GET %s HTTP/1.0\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n' ${shq(t.path)} ${shq(t.address)} >&3 && head -n 1 <&3`
  return {
    command: `timeout ${t.timeoutS} bash -c ${shq(body)} 2>&1 || echo "probe-failed $?"`,
    parse: (stdout) => parseProbe(stdout),
  }
}

/** Pure: "connected", an HTTP status line, or "probe-failed CODE" after bash's own message. */
export function parseProbe(stdout: string): ProbeResult {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean)
  const status = lines.map((l) => /^HTTP\/\d(?:\.\d)? (\d{3})\b/.exec(l)).find(Boolean)
  if (status) return {answered: true, status: Number(status[1])}
  if (lines.includes('connected')) return {answered: true}
  const failed = lines.find((l) => l.startsWith('probe-failed '))
  if (failed?.endsWith(' 124')) return {answered: false, why: 'no answer in time'}
  const reason = lines.find((l) => !l.startsWith('probe-failed'))
  return {answered: false, why: reason ? reason.replace(/^.*?: line \d+: /, '').replace(/^bash: /, '') : 'the connection closed without an answer'}
}
