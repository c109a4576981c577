/** `Include` in ~/.ssh/config, against real files in a temporary home. */
import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import {expandIncludes, readSshConfig} from '../../../src/transport/ssh-config.js'

function home(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-sshconf-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), {recursive: true})
    writeFileSync(join(dir, path), text)
  }
  return dir
}

test('Include: a relative glob under ~/.ssh, in lexical order, first value wins; an absolute and a ~/ path', () => {
  const h = home({
    '.ssh/config': 'Include config.d/*.conf\nInclude ~/extra/jump\n\nHost *\n  User fallback\n',
    '.ssh/config.d/10-cluster.conf': 'Host node1\n  HostName 10.0.0.1\n  Port 2222\n',
    '.ssh/config.d/20-later.conf': 'Host node1\n  Port 9999\n  User admin\n',
    '.ssh/config.d/ignored.txt': 'Host node1\n  User wrong\n',
    'extra/jump': 'Host node2\n  ProxyJump admin@bastion\n',
  })
  const lookup = readSshConfig(join(h, '.ssh/config'), h)
  const n1 = lookup('node1')
  assert.deepEqual([n1.hostName, n1.port, n1.user], ['10.0.0.1', 2222, 'admin'])
  assert.equal(lookup('node2').proxyJump, 'admin@bastion')
  // Lines after an included file that opened its own Host blocks apply to every host again.
  assert.equal(lookup('node2').user, 'fallback')
})

test('Include inside a Host block belongs to that block, and the block goes on after it', () => {
  const h = home({
    '.ssh/config': 'Host node1\n  Include node1.conf\n  User afterwards\n',
    '.ssh/node1.conf': 'HostName 10.0.0.1\nHost other\n  Port 2200\n',
  })
  const lookup = readSshConfig(join(h, '.ssh/config'), h)
  assert.deepEqual([lookup('node1').hostName, lookup('node1').user, lookup('node1').port], ['10.0.0.1', 'afterwards', undefined])
  assert.equal(lookup('other').port, 2200)
  assert.equal(lookup('other').user, undefined)
})

test('Include: a missing file is nothing, quoted names with spaces work, a loop stops at 16 levels', () => {
  const h = home({
    '.ssh/config': 'Include nothing-here "with space.conf"\nInclude loop\n',
    '.ssh/with space.conf': 'Host node1\n  User spaced\n',
    '.ssh/loop': 'Include loop\n',
  })
  assert.equal(readSshConfig(join(h, '.ssh/config'), h)('node1').user, 'spaced')
  assert.equal(expandIncludes('Include = loop', h).trim(), '')
})
