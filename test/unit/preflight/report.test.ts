import {test} from 'node:test'
import assert from 'node:assert/strict'
import {findingsTable, verdictLine} from '../../../src/preflight/report.js'
import type {Finding} from '../../../src/preflight/finding.js'

const findings: Finding[] = [
  {node: 'node1', check: 'hostname', level: 'ok', message: 'uname -n is node1'},
  {node: 'node1', check: 'resolve node2', level: 'warn', message: 'node2 does not resolve on node1', fix: 'add it', fixable: true, repair: {kind: 'hosts'}},
  {node: 'node2', check: 'ssh', level: 'fail', message: 'connection refused\n    by 192.0.2.12:22', fix: 'start sshd'},
]
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '')

test('the table has every finding with its fix; fixable ones are marked; line breaks are flattened', () => {
  const table = plain(findingsTable(findings, 120))
  assert.match(table, /│ node\s+│ check\s+│ level│ message\s+│ fix/)
  assert.match(table, /│ node1\s+│ resolve node2\s+│ warn │ node2 does not resolve on node1\s+│ \[--fix\] add it/)
  assert.match(table, /│ node2\s+│ ssh\s+│ fail │ connection refused by 192\.0\.2\.12:22\s+│ start sshd/)
  assert.ok(table.split('\n').every((l) => l.length <= 120), 'fits the width')
})

test('the verdict counts levels and points at --fix only while something is fixable and not yet fixed', () => {
  assert.equal(plain(verdictLine(findings, false)), '1 ok, 1 warning, 1 failure; 1 can be repaired: hapair preflight --fix (add --dry-run to see the changes first)')
  assert.equal(plain(verdictLine(findings, true)), '1 ok, 1 warning, 1 failure')
  assert.equal(plain(verdictLine([findings[0]], false)), '1 ok, 0 warnings, 0 failures')
})
