import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, chmodSync, mkdirSync, writeFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {clStatusFact, heartbeatToolFact, HB_TOOL_DIRS, peerRouteFact} from '../../../src/facts/heartbeat.js'
import {recorded} from '../../helpers/recorded.js'

describe('peerRouteFact', () => {
  for (const name of ['route-direct', 'route-via-gateway', 'route-local', 'route-unreachable']) {
    it(`recorded ${name}`, () => {
      const r = recorded('heartbeat', name)
      const peer = /'([^']+)'/.exec(r.command)![1]
      assert.equal(peerRouteFact(peer).command, r.command)
      assert.deepEqual(peerRouteFact(peer).parse(r.output, r.exitCode ?? 0), r.fact)
    })
  }
})

describe('clStatusFact', () => {
  for (const name of ['cl-status-holding', 'cl-status-standby', 'cl-status-stopped']) {
    it(`${name}`, () => {
      const r = recorded('heartbeat', name)
      assert.equal(r.command, clStatusFact.command)
      assert.deepEqual(clStatusFact.parse(r.output, r.exitCode ?? 0), r.fact)
    })
  }
  it('heartbeat not installed; an unknown word', () => {
    assert.deepEqual(clStatusFact.parse('', 127), {available: false, running: false, resources: 'unknown'})
    assert.equal(clStatusFact.parse('hb=running\nrsc=maybe\n', 0).resources, 'unknown')
  })
})

describe('heartbeatToolFact', () => {
  it('prints the first directory that holds the tool, run by bash over a fake tree', () => {
    // The command names absolute directories; run it with each one replaced by a temp copy.
    const root = mkdtempSync(join(tmpdir(), 'hapair-hbtool-'))
    try {
      const libexec = join(root, 'usr/libexec/heartbeat')
      mkdirSync(libexec, {recursive: true})
      writeFileSync(join(libexec, 'ipfail'), '#!/bin/sh\n')
      chmodSync(join(libexec, 'ipfail'), 0o755)
      let command = heartbeatToolFact('ipfail').command
      for (const d of HB_TOOL_DIRS) command = command.replace(d, join(root, d))
      const found = spawnSync('bash', ['-c', command], {encoding: 'utf8'})
      assert.deepEqual(heartbeatToolFact('ipfail').parse(found.stdout, found.status ?? 0), {path: join(libexec, 'ipfail')})
      const none = spawnSync('bash', ['-c', command.replaceAll('ipfail', 'nothere')], {encoding: 'utf8'})
      assert.deepEqual(heartbeatToolFact('nothere').parse(none.stdout, none.status ?? 0), {path: null})
    } finally {
      rmSync(root, {recursive: true, force: true})
    }
  })
})
