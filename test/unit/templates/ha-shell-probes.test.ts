/**
 * The shared shell probes that read /proc with builtins instead of starting programs (the check
 * runs every two seconds, and a program costs a noticeable part of a second on an emulated node):
 * DRBD 8.4's line in /proc/drbd, the mount table, and the log line's format. Run by real bash
 * against files written here; PATH holds nothing, so a probe that starts a program fails.
 */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {SHELL_LIB} from '../../../src/templates/scripts/ha-params.js'

const dir = mkdtempSync(join(tmpdir(), 'hapair-probes-'))
const empty = mkdtempSync(join(tmpdir(), 'hapair-nopath-'))

/** Runs `body` after the settings and SHELL_LIB; PATH is an empty directory. */
function shell(settings: Record<string, string>, body: string): {code: number; out: string} {
  const vars = Object.entries(settings).map(([k, v]) => `${k}='${v}'`).join('\n')
  const r = spawnSync('/bin/bash', ['-c', `PATH=${empty}\nACTION=test\n${vars}\n${SHELL_LIB}\n${body}`], {encoding: 'utf8'})
  return {code: r.status ?? -1, out: (r.stdout + r.stderr).trim()}
}

function file(name: string, text: string): string {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

const PROC_84 = file('drbd84', `version: 8.4.11 (api:1/proto:86-101)
srcversion: 0A3BF63E7DA1C1DE1D4A6B5
 0: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----
    ns:1024 nr:0 dw:0 dr:1024 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0
10: cs:WFConnection ro:Secondary/Unknown ds:Consistent/DUnknown C r----s
 1: cs:Unconfigured
`)
const PROC_9 = file('drbd9', `version: 9.2.8 (api:2/proto:86-122)
GIT-hash: e163b05a76254c0f51f999970e861d72bb16409a build by root, 2024-01-01
Transports (api:20): tcp (9.2.8)
`)

describe('proc_drbd_state reads the device\'s own line of DRBD 8.4\'s /proc/drbd', () => {
  it('minor 0 is not minor 10: connection, local role, peer role, local disk', () => {
    assert.deepEqual(shell({DEV: '/dev/drbd0', PROC_DRBD: PROC_84}, 'proc_drbd_state'), {code: 0, out: 'SyncSource Primary Secondary UpToDate'})
    assert.deepEqual(shell({DEV: '/dev/drbd10', PROC_DRBD: PROC_84}, 'proc_drbd_state'), {code: 0, out: 'WFConnection Secondary Unknown Consistent'})
  })

  it('fails (so drbdadm answers) for an unconfigured or absent minor, DRBD 9, or no /proc/drbd', () => {
    for (const [dev, proc] of [['/dev/drbd1', PROC_84], ['/dev/drbd2', PROC_84], ['/dev/drbd0', PROC_9], ['/dev/drbd0', join(dir, 'absent')]]) {
      assert.equal(shell({DEV: dev, PROC_DRBD: proc}, 'proc_drbd_state').code, 1, `${dev} with ${proc}`)
    }
  })

  it('drbd_roles and is_primary answer from it without starting drbdadm', () => {
    assert.deepEqual(shell({DEV: '/dev/drbd0', RES: 'r0', PROC_DRBD: PROC_84}, 'drbd_roles; is_primary && echo primary'), {code: 0, out: 'Primary Secondary\nprimary'})
    assert.deepEqual(shell({DEV: '/dev/drbd10', RES: 'r1', PROC_DRBD: PROC_84}, 'drbd_roles; is_primary || echo not-primary'), {code: 0, out: 'Secondary Unknown\nnot-primary'})
  })
})

describe('data_mounted reads the mount table', () => {
  const mounts = file('mounts', [
    '/dev/vda / ext4 rw,relatime 0 0',
    '/dev/drbd0 /data ext4 rw,relatime 0 0',
    '/dev/drbd0 /var/lib/nfs ext4 rw,relatime 0 0',
    '/dev/drbd10 /data2 ext4 rw,relatime 0 0',
  ].join('\n') + '\n')

  it('true only for the device on the mount point', () => {
    assert.equal(shell({DEV: '/dev/drbd0', MP: '/data', PROC_MOUNTS: mounts}, 'data_mounted').code, 0)
    assert.equal(shell({DEV: '/dev/drbd1', MP: '/data', PROC_MOUNTS: mounts}, 'data_mounted').code, 1, 'another device on the mount point')
    assert.equal(shell({DEV: '/dev/drbd0', MP: '/data2', PROC_MOUNTS: mounts}, 'data_mounted').code, 1, 'the device elsewhere')
    assert.equal(shell({DEV: '/dev/drbd0', MP: '/dat', PROC_MOUNTS: mounts}, 'data_mounted').code, 1, 'a prefix of the mount point')
  })
})

describe('log', () => {
  it('writes "ISO time with ms and offset, node, action: message" without starting date or uname', () => {
    const log = join(dir, 'ha.log')
    const r = shell({LOG: log}, 'log "hello there"; cat "$LOG" 2>/dev/null || while IFS= read -r l; do echo "$l"; done <"$LOG"')
    assert.equal(r.code, 0, r.out)
    assert.match(r.out, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d \S+ test: hello there$/)
  })
})
