import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import type {LoadedCluster} from '../../../src/config/load.js'
import {secretValues} from '../../../src/config/secrets.js'
import {HapairError} from '../../../src/errors.js'
import {collectReport, writeReport, type ReportInput} from '../../../src/report/bundle.js'
import {nodeReportItems} from '../../../src/report/node-collect.js'
import {findSecretLeaks} from '../../../src/state/secret-encodings.js'
import {stackOf} from '../../../src/stacks/registry.js'
import {FakeHost} from '../../../src/transport/fake-host.js'
import {testCluster} from '../../helpers/cluster.js'

const NOW = new Date('2026-12-07T19:00:00Z')

/** A cluster file, a state file and three run logs on disk, as `.hapair/` holds them. */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-report-'))
  const {config, secrets} = testCluster()
  const file = join(dir, 'hapair.yaml')
  writeFileSync(file, 'name: lab\n# the cluster file as written\n')
  const stateDir = join(dir, '.hapair')
  mkdirSync(join(stateDir, 'logs'), {recursive: true})
  writeFileSync(join(stateDir, 'state.json'), '{"version":1,"runs":[]}\n')
  for (const name of ['20261201T000000Z-run.log', '20261202T000000Z-status.log', '20261203T000000Z-run.log']) writeFileSync(join(stateDir, 'logs', name), `${name}\n`)
  const cluster: LoadedCluster = {config, secrets, file, secretsFile: join(dir, 'hapair.secrets.yaml'), hash: 'x'}
  return {dir, cluster, stateDir, secrets: secretValues(secrets)}
}

/** What the node's collect script prints: each item's marker, output and exit code. */
function nodeOutput(cluster: LoadedCluster, body: (name: string) => string = (name) => `output of ${name}`): string {
  return nodeReportItems(stackOf(cluster.config))
    .map((i) => `@@hapair-fact ${i.name}\n${body(i.name)}\n@@hapair-fact-rc ${i.name.startsWith('systemctl') ? 3 : 0}`)
    .join('\n')
}

function input(s: ReturnType<typeof setup>, hosts: Map<string, FakeHost>, unreachable = new Map<string, {message: string; hint?: string}>()): ReportInput {
  return {cluster: s.cluster, hosts, unreachable, stateDir: s.stateDir, secrets: s.secrets, hapairVersion: '0.1.0', now: NOW, logs: 2}
}

describe('collectReport', () => {
  it('collects the local files and every reachable node, names the unreachable one, and writes a tar.gz', async () => {
    const s = setup()
    const node1 = new FakeHost('node1').expect('@@hapair-fact journal-keepalived', {stdout: nodeOutput(s.cluster)})
    const report = await collectReport(input(s, new Map([['node1', node1]]), new Map([['node2', {message: 'cannot reach 192.168.77.12:22 (EHOSTUNREACH)', hint: 'Check the address'}]])))
    node1.done()
    assert.deepEqual(
      report.nodes.map((n) => [n.node, n.reachable, n.error ?? null]),
      [
        ['node1', true, null],
        ['node2', false, 'cannot reach 192.168.77.12:22 (EHOSTUNREACH)'],
      ],
    )
    const f = report.folder
    assert.equal(f, 'hapair-report-lab-20261207T190000Z')
    for (const path of ['index.txt', 'index.json', 'hapair.yaml', 'state.json', 'logs/20261202T000000Z-status.log', 'logs/20261203T000000Z-run.log', 'node1/proc-drbd.txt', 'node1/drbdadm-dump.txt', 'node1/exports.txt', 'node1/ip-addr.txt', 'node1/systemctl-status-keepalived.txt', 'node1/journal-nfs-server.txt', 'node2/UNREACHABLE.txt']) {
      assert.ok(report.files.includes(`${f}/${path}`), path)
    }
    assert.ok(!report.files.some((p) => p.endsWith('20261201T000000Z-run.log')), 'only the latest logs')
    assert.ok(!report.files.some((p) => /secrets/.test(p)), 'never the secrets file')

    const out = join(s.dir, 'bundle.tar.gz')
    await writeReport(out, report, NOW)
    assert.equal(statSync(out).mode & 0o777, 0o600)
    execFileSync('tar', ['-xzf', out, '-C', s.dir])
    const index = readFileSync(join(s.dir, f, 'index.txt'), 'utf8')
    assert.match(index, /^node2: UNREACHABLE: cannot reach 192\.168\.77\.12:22 \(EHOSTUNREACH\) \(Check the address\)$/m)
    assert.equal(JSON.parse(readFileSync(join(s.dir, f, 'index.json'), 'utf8')).stack, 'nfs-keepalived')
    assert.match(readFileSync(join(s.dir, f, 'node1', 'systemctl-status-keepalived.txt'), 'utf8'), /^\$ systemctl status --no-pager --full 'keepalived'\n\(exit 3\)\n\noutput of systemctl-status-keepalived\n$/)
    assert.deepEqual(findSecretLeaks(readFileSync(out), s.secrets), [])
    await assert.rejects(writeReport(out, report, NOW), /EEXIST/, 'an existing bundle is never replaced')
  })

  it('goes on with the other node when one fails half-way', async () => {
    const s = setup()
    const node1 = new FakeHost('node1').expect('@@hapair-fact', {throws: new Error('node1: connection lost while running "collect the support bundle"')})
    const node2 = new FakeHost('node2').expect('@@hapair-fact', {stdout: nodeOutput(s.cluster)})
    const report = await collectReport(input(s, new Map([['node1', node1], ['node2', node2]])))
    assert.match(report.nodes[0].error ?? '', /^collecting failed: node1: connection lost/)
    assert.ok(report.files.some((p) => p.endsWith('node1/FAILED.txt')))
    assert.ok(report.files.some((p) => p.endsWith('node2/proc-drbd.txt')))
  })

  for (const [how, encode] of [
    ['plain', (v: string) => v],
    ['base64', (v: string) => Buffer.from(`x${v}`).toString('base64')],
    ['hex', (v: string) => Buffer.from(v).toString('hex')],
  ] as const) {
    it(`refuses a bundle that would hold a secret (${how}), naming the file, never the value`, async () => {
      const s = setup()
      const secret = s.cluster.secrets.drbdSharedSecret
      const node1 = new FakeHost('node1').expect('@@hapair-fact', {stdout: nodeOutput(s.cluster, (name) => (name === 'journal-keepalived' ? `leaked ${encode(secret)} here` : 'fine'))})
      await assert.rejects(collectReport(input(s, new Map([['node1', node1]]))), (error: HapairError) => {
        assert.ok(error instanceof HapairError)
        assert.match(error.message, /would hold a secret, so it was not written: hapair-report-lab-20261207T190000Z\/node1\/journal-keepalived\.txt \((plain|base64|hex|base64-decoded)\)/)
        assert.ok(!error.message.includes(secret))
        return true
      })
    })
  }

  it('scans the local files too: a secret pasted into the cluster file is refused', async () => {
    const s = setup()
    writeFileSync(s.cluster.file, `name: lab\n# auth_pass ${s.cluster.secrets.keepalivedAuthPass}\n`)
    await assert.rejects(collectReport(input(s, new Map())), /hapair-report-lab-20261207T190000Z\/hapair\.yaml \(plain\)/)
  })
})
