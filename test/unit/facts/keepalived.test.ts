import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {haLogFact, keepalivedVersionFact, parseHaLog} from '../../../src/facts/keepalived.js'
import {recorded} from '../../helpers/recorded.js'

describe('keepalivedVersionFact', () => {
  it('recorded 2.2.7', () => {
    const r = recorded('keepalived', 'keepalived-version')
    assert.equal(r.command, keepalivedVersionFact.command)
    assert.deepEqual(keepalivedVersionFact.parse(r.output, r.exitCode ?? 0), {installed: true, version: '2.2.7'})
  })
  it('not installed', () => {
    assert.deepEqual(keepalivedVersionFact.parse('', 127), {installed: false, version: null})
  })
})

describe('haLogFact', () => {
  it('parses the lines the notify/check scripts write', () => {
    const r = recorded('keepalived', 'ha-log')
    const events = haLogFact().parse(r.output, 0)
    assert.ok(events.length >= 5)
    assert.deepEqual(Object.keys(events[0]).sort(), ['action', 'message', 'node', 'time'])
    assert.ok(events.every((e) => !Number.isNaN(Date.parse(e.time))))
    assert.ok(events.some((e) => e.action === 'master' && /serving: DRBD Primary/.test(e.message)))
    assert.ok(events.some((e) => e.action === 'stop' && /released/.test(e.message)))
  })
  it('skips command output lines and noise', () => {
    const events = parseHaLog('2026-01-02T03:04:05.678+00:00 node1 master: begin\n    | mount: something\nnot a log line\n')
    assert.deepEqual(events, [{time: '2026-01-02T03:04:05.678+00:00', node: 'node1', action: 'master', message: 'begin'}])
  })
})
