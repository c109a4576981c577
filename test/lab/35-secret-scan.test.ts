/**
 * Issue 12 in the lab: no secret leaves the secrets file in any form. After the earlier suites
 * built the cluster from blank disks and ran every drill, one converged re-run, one --dry-run and
 * `status --json` run; their stdout and stderr, and every file under `.hapair/` beside the lab's
 * cluster file (state file, the run logs of every runbook run and drill of this suite) are
 * scanned for each secret of `hapair.secrets.yaml` as itself, in hex and in base64 at every
 * alignment, with every base64 run decoded (findSecretLeaks). Files last written before this lab
 * suite started (scripts/test.js says when; run alone: this file's start) are an older hapair's
 * and are not judged.
 */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {before, test} from 'node:test'
import {parse} from 'yaml'
import {labPaths} from '../../src/lab/index.js'
import {findSecretLeaks} from '../../src/state/secret-encodings.js'
import {expectExit, hapair, type CliResult} from './cli.js'
import {requireCluster} from './lab-suite.js'

function filesUnder(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []))
}

const outputs: {what: string; result: CliResult}[] = []
const since = Number(process.env.HAPAIR_LAB_SUITE_STARTED_MS ?? Date.now())

before(async () => {
  await requireCluster()
  outputs.push({what: 'converged re-run', result: expectExit(await hapair(['run', 'nfs-keepalived'], {timeoutMs: 20 * 60_000}), 0, 'converged re-run')})
  outputs.push({what: 'dry run', result: expectExit(await hapair(['run', 'nfs-keepalived', '--dry-run'], {timeoutMs: 20 * 60_000}), 0, 'dry run')})
  outputs.push({what: 'status --json', result: expectExit(await hapair(['status', '--json']), 0, 'status --json')})
})

test('no secret, in any encoding, in the output of a re-run, a dry run and status --json, nor in any file under .hapair/', () => {
  const clusterFile = labPaths().clusterFile
  const secretsDoc = parse(readFileSync(clusterFile.replace(/\.yaml$/, '.secrets.yaml'), 'utf8')) as Record<string, string>
  const names = Object.keys(secretsDoc)
  const secrets = names.map((k) => String(secretsDoc[k]))
  assert.ok(secrets.length >= 2, 'the lab secrets file holds the DRBD and keepalived secrets')

  const scanned: {where: string; bytes: Buffer}[] = [
    ...outputs.flatMap(({what, result}) => [
      {where: `${what}: stdout`, bytes: Buffer.from(result.stdout)},
      {where: `${what}: stderr`, bytes: Buffer.from(result.stderr)},
    ]),
    ...filesUnder(join(dirname(clusterFile), '.hapair'))
      .filter((f) => statSync(f).mtimeMs >= since)
      .map((f) => ({where: f, bytes: readFileSync(f)})),
  ]
  assert.ok(scanned.some((s) => s.where.endsWith('state.json')), 'the state file is among the scanned files')
  assert.ok(scanned.some((s) => s.where.endsWith('.log')), 'the run logs are among the scanned files')

  const found = scanned.flatMap(({where, bytes}) => findSecretLeaks(bytes, secrets).map((l) => `${where}: ${names[l.secret]} (${l.encoding}) at byte ${l.offset}`))
  assert.deepEqual(found, [], `secrets leaked:\n  ${found.join('\n  ')}`)
})
