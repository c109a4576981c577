/**
 * Heartbeat facts: the interface a node reaches its peer through (where `ucast`/`bcast`/`mcast`
 * send), where the distribution put heartbeat's helper programs, and what `cl_status` says about
 * the daemon and the resources this node holds.
 */
import {shq, type Fact} from './fact.js'

/** Where heartbeat's helpers live: Debian 12 /usr/libexec/heartbeat (ipfail) and /usr/share/heartbeat (hb_standby); older builds /usr/lib(64)/heartbeat. */
export const HB_TOOL_DIRS = ['/usr/share/heartbeat', '/usr/lib/heartbeat', '/usr/lib64/heartbeat', '/usr/libexec/heartbeat'] as const

export interface PeerRoute {
  /** The interface the kernel sends to the peer through; null when there is no route (or the address is local). */
  dev: string | null
  /** What `ip route get` said when it found no usable route. */
  error: string | null
}

/**
 * `ip -o -4 route get PEER`: "192.168.77.12 dev eth0 src 192.168.77.11 uid 0 \    cache". An
 * address of the node itself routes through `lo` ("local ... dev lo"): not a peer.
 */
export function peerRouteFact(peer: string): Fact<PeerRoute> {
  return {command: `ip -o -4 route get ${shq(peer)}`, parse: parsePeerRoute}
}

export function parsePeerRoute(stdout: string, code: number): PeerRoute {
  const text = stdout.trim()
  if (code !== 0) return {dev: null, error: text.split('\n')[0] || `ip route get exited ${code}`}
  if (/^(local|broadcast|unreachable|prohibit|blackhole)\b/.test(text)) return {dev: null, error: `the route is ${text.split(/\s+/)[0]}`}
  const dev = /\bdev (\S+)/.exec(text)?.[1]
  return dev ? {dev, error: null} : {dev: null, error: `no interface in "${text.split('\n')[0]}"`}
}

/** The path of a heartbeat helper (ipfail, hb_standby) on this node, or null when none of the known directories holds it. */
export function heartbeatToolFact(tool: string): Fact<{path: string | null}> {
  return {
    command: `for d in ${HB_TOOL_DIRS.join(' ')}; do if [ -x "$d/${tool}" ]; then echo "$d/${tool}"; exit 0; fi; done; echo missing`,
    parse: (stdout) => {
      const line = stdout.trim().split('\n').at(-1) ?? ''
      return {path: line.startsWith('/') ? line : null}
    },
  }
}

export type ResourceHolding = 'all' | 'local' | 'foreign' | 'none' | 'transition' | 'unknown'

export interface ClStatus {
  /** cl_status exists (the heartbeat package is installed). */
  available: boolean
  /** `cl_status hbstatus`: heartbeat answers on its API socket. */
  running: boolean
  /** `cl_status rscstatus`: which resource groups this node holds (haresources mode). */
  resources: ResourceHolding
}

const HOLDINGS: readonly ResourceHolding[] = ['all', 'local', 'foreign', 'none', 'transition']

/**
 * `cl_status hbstatus` exits 0 and says "Heartbeat is running on this machine." when the daemon
 * answers; `cl_status rscstatus` prints one word: all, local, foreign, none or transition.
 */
export const clStatusFact: Fact<ClStatus> = {
  command: `command -v cl_status >/dev/null || exit 127
if cl_status hbstatus >/dev/null 2>&1; then echo hb=running; else echo hb=stopped; fi
echo "rsc=$(cl_status rscstatus 2>/dev/null | head -n1)"`,
  parse(stdout, code) {
    if (code === 127) return {available: false, running: false, resources: 'unknown'}
    const running = /^hb=running$/m.test(stdout)
    const word = /^rsc=(\S*)/m.exec(stdout)?.[1] ?? ''
    const resources = (HOLDINGS as readonly string[]).includes(word) ? (word as ResourceHolding) : 'unknown'
    return {available: true, running, resources: running ? resources : 'unknown'}
  },
}
