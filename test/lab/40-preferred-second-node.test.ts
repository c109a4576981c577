/**
 * Issue 10's proof of one preferred node: a cluster file that gives the SECOND node the higher
 * priority, built from blank disks, ends with node2 as the first DRBD Primary, the VRRP master and
 * the NFS server at once. Before one preferredNode existed, DRBD took the first node and VRRP the
 * higher priority, and the two disagreed here.
 */
import {before, test} from 'node:test'
import assert from 'node:assert/strict'
import {expectExit, hapair} from './cli.js'
import {clusterFileVariant, haLogTails, onGuest as on, requireBlankLab} from './lab-suite.js'
import {VIP} from '../../src/lab/index.js'

before(async () => {
  await requireBlankLab()
})

test('node2 with the higher priority: from blank disks, DRBD Primary, the VIP and NFS all start on node2', async () => {
  const file = clusterFileVariant((yaml) => {
    const out = yaml.replace(/( {2}- name: node2\n {4}address: [^\n]+\n)/, '$1    priority: 110\n')
    assert.notEqual(out, yaml, 'the lab cluster file no longer has the node2 entry this test edits')
    return out
  })
  expectExit(await hapair(['run', 'nfs-keepalived'], {configFile: file, timeoutMs: 40 * 60_000}), 0, 'run nfs-keepalived (node2 preferred)')

  const status = expectExit(await hapair(['status', '--json'], {configFile: file}), 0, 'status')
  assert.equal(status.json.primary, 'node2', `DRBD Primary is not the preferred node\n${await haLogTails()}`)
  assert.equal(status.json.vipHolder, 'node2', `the VIP is not on the preferred node\n${await haLogTails()}`)
  assert.match(await on('node2', `ip -4 -o addr show dev eth0; findmnt -n -o SOURCE /data; cat /proc/fs/nfsd/threads`), new RegExp(`inet ${VIP.replaceAll('.', '\\.')}/[\\s\\S]*/dev/drbd0\\n[1-9]`))
  assert.equal(await on('node1', 'findmnt -n /data || true'), '', 'node1, the standby, has /data mounted')
  // The first takeover happened on node2: its HA log has a master call, node1's none.
  assert.match(await on('node2', 'cat /var/log/hapair-ha.log'), / master: serving:/)
  assert.doesNotMatch(await on('node1', 'cat /var/log/hapair-ha.log 2>/dev/null || true'), / master: serving:/)

  const again = expectExit(await hapair(['run', 'nfs-keepalived', '--json'], {configFile: file, timeoutMs: 20 * 60_000}), 0, 'second run (node2 preferred)')
  assert.deepEqual(again.json.steps.filter((s: {status: string}) => s.status === 'changed').map((s: {id: string}) => s.id), [])
})
