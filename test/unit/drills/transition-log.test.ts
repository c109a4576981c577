/**
 * The transition timeline a drill reads from the stack's log: what was appended after the fault
 * (by byte offset, not by the guests' clocks), its timed commands, the slowest first.
 */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {appendFileSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {logSinceScript, logSizeScript, parseLogSize, parseTransitions} from '../../../src/drills/transition-log.js'
import {measuredRows} from '../../../src/drills/report/format.js'
import {passed} from './sample-report.js'

const bash = (script: string) => spawnSync('bash', ['-c', script], {encoding: 'utf8'})

const BEFORE = '2026-12-07T20:00:00.000+00:00 node2 check: took 12 ms (exit 0): systemctl is-active nfs-server\n'
const AFTER = [
  '2026-12-07T20:01:00.100+00:00 node2 master: begin',
  '2026-12-07T20:01:00.200+00:00 node2 master: the peer is still DRBD Primary; waiting up to 30 s for it to demote',
  '2026-12-07T20:01:09.300+00:00 node2 master: took 640 ms (exit 0): drbdadm primary r0',
  '    | some output of a command',
  '2026-12-07T20:01:10.000+00:00 node2 master: took 310 ms (exit 0): mount -t ext4 /dev/drbd0 /data',
  '2026-12-07T20:01:12.000+00:00 node2 master: took 1900 ms (exit 0): systemctl stop nfs-server nfsdcld rpc-statd nfs-idmapd',
  '2026-12-07T20:01:16.000+00:00 node2 master: took 3800 ms (exit 0): systemctl restart nfs-server',
  '2026-12-07T20:01:16.400+00:00 node2 master: took 400 ms (exit 1): sm-notify -f -v 192.168.77.100',
  '2026-12-07T20:01:16.700+00:00 node2 master: took 250 ms (exit 0): exportfs -ra',
  '2026-12-07T20:01:16.800+00:00 node2 master: took 90 ms (exit 0): mount --bind /data/.hapair-nfs /var/lib/nfs',
  '2026-12-07T20:01:16.900+00:00 node2 master: end (exit 0)',
].join('\n') + '\n'

describe('transition log', () => {
  it('reads only what was appended after the starting offset, without command output', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hapair-tlog-'))
    const log = join(dir, 'ha.log')
    assert.equal(parseLogSize(bash(logSizeScript(log)).stdout), 0, 'no log yet: size 0')
    writeFileSync(log, BEFORE)
    const offset = parseLogSize(bash(logSizeScript(log)).stdout)
    assert.equal(offset, Buffer.byteLength(BEFORE))
    appendFileSync(log, AFTER)
    const r = bash(logSinceScript(log, offset!))
    assert.equal(r.status, 0, r.stderr)
    assert.ok(!r.stdout.includes('is-active'), 'a line from before the offset was read')
    assert.ok(!r.stdout.includes('    | '), 'command output lines are left out')
    assert.equal(r.stdout.split('\n').filter(Boolean).length, 10)
  })

  it('counts transitions and commands and keeps the slowest five, slowest first', () => {
    const t = parseTransitions('node2', AFTER)
    assert.equal(t.transitions, 1)
    assert.equal(t.commands, 7)
    assert.equal(t.totalMs, 640 + 310 + 1900 + 3800 + 400 + 250 + 90)
    assert.deepEqual(t.biggest.map((c) => c.ms), [3800, 1900, 640, 400, 310])
    assert.deepEqual(t.biggest[3], {action: 'master', ms: 400, exit: 1, command: 'sm-notify -f -v 192.168.77.100'})
  })

  it('a report row per node names the slowest commands, their transition and a failing exit', () => {
    const drill = {...passed, transitions: [parseTransitions('node2', AFTER)]}
    const row = measuredRows(drill).find(([label]) => label === "node2: HA scripts' slowest commands")
    assert.ok(row, JSON.stringify(measuredRows(drill)))
    assert.match(row[1], /^1 transition, 7 commands, 7\.4 s: systemctl restart nfs-server 3\.8 s \(master\); /)
    assert.match(row[1], /sm-notify -f -v 192\.168\.77\.100 400 ms \(master, exit 1\)/)
  })
})
