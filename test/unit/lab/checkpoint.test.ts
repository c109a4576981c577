import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {labPaths} from '../../../src/lab/paths.js'
import {
  checkpointNameProblem, checkpointsDir, commitCheckpoint, listCheckpointRecords, readCheckpoint, restoreRefusal, snapshotTag,
  CheckpointRefused, type CheckpointMeta,
} from '../../../src/lab/checkpoint-store.js'
import {drbdLine, listCheckpoints, removeCheckpoint, restoreCheckpoint, saveCheckpoint, type CheckpointMachine} from '../../../src/lab/checkpoint.js'
import {parseQemuImgInfo} from '../../../src/lab/qcow2.js'

const CONNECTED = ' 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n'
const SYNCING = ' 0: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----\n'

const freshPaths = () => labPaths({HAPAIR_LAB_DIR: mkdtempSync(join(tmpdir(), 'hapair-cp-')), HAPAIR_LAB_CACHE: '/nonexistent'})

/**
 * A two-guest machine that records every qemu operation in order; disks hold snapshot tags,
 * a clock that moves only when told, and /proc/drbd answers scripted per read.
 */
function fakeMachine(o: {image?: string; drbd?: string[]; failSavevm?: string; off?: string[]} = {}) {
  const calls: string[] = []
  const off = new Set(o.off ?? [])
  const tags: Record<string, Set<string>> = {node1: new Set(), node2: new Set()}
  const drbdAnswers = [...(o.drbd ?? [])]
  let clock = 1_765_000_000_000
  const m: CheckpointMachine = {
    guests: ['node1', 'node2'],
    runningImage: async () => (off.size ? undefined : 'image' in o ? o.image : 'img-a'),
    restorableLab: async () => {
      const imageHash = 'image' in o ? o.image : 'img-a'
      return imageHash ? {imageHash, off: [...off]} : undefined
    },
    startStopped: async (g) => {
      calls.push(`${g} start stopped`)
      off.delete(g)
    },
    qmp: async (g, execute) => void calls.push(`${g} ${execute}`),
    hmp: async (g, command) => {
      calls.push(`${g} ${command}`)
      const [verb, tag] = command.split(' ')
      if (verb === 'savevm' && o.failSavevm === g) return 'Error: No space left on device'
      if (verb === 'savevm') tags[g].add(tag)
      if (verb === 'delvm') tags[g].delete(tag)
      if (verb === 'loadvm' && !tags[g].has(tag)) return `Snapshot '${tag}' does not exist`
      return ''
    },
    tags: async (g) => [...tags[g]],
    diskUse: async (g) => ({vmStateBytes: Object.fromEntries([...tags[g]].map((t) => [t, 100])), diskBytes: 1000}),
    exec: async (g, command) => {
      if (command.startsWith('cat /proc/drbd')) return {code: 0, stdout: drbdAnswers.length > 1 ? drbdAnswers.shift()! : (drbdAnswers[0] ?? ''), stderr: ''}
      calls.push(`${g} ssh ${command}`)
      return {code: 0, stdout: '', stderr: ''}
    },
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
  }
  return {m, calls, tags, advance: (ms: number) => (clock += ms)}
}

test('checkpoint names: letters, digits, - and _, at most 40, no path tricks', () => {
  for (const ok of ['storage', 'after-storage_2', 'A', 'x'.repeat(40)]) assert.equal(checkpointNameProblem(ok), undefined, ok)
  for (const bad of ['', '-x', '../x', 'a/b', 'a b', 'x'.repeat(41), 'a.json']) assert.match(checkpointNameProblem(bad)!, /bad checkpoint name/, bad)
})

test('snapshot tags are unique per save time, so a re-save never overwrites the tag a record points to', () => {
  assert.notEqual(snapshotTag('s', 1000), snapshotTag('s', 1001))
  assert.match(snapshotTag('storage', 1000), /^hapair-storage-/)
})

test('drbdLine reads cs, ro and ds of /proc/drbd; null without DRBD', () => {
  assert.equal(drbdLine(CONNECTED), 'Connected Primary/Secondary UpToDate/UpToDate')
  assert.equal(drbdLine('version: 8.4.11 (api:1/proto:86-101)\n'), null)
  assert.equal(drbdLine(''), null)
})

test('qemu-img info: snapshot tags with their saved memory, backing file and size on the host', () => {
  const info = parseQemuImgInfo(JSON.stringify({
    'actual-size': 299008, 'backing-filename': '/c/root.img', 'full-backing-filename': '/c/root.img',
    snapshots: [{id: '1', name: 'hapair-blank', 'vm-state-size': 0}, {id: '2', name: 'hapair-s-x', 'vm-state-size': 145_000_000}],
  }))
  assert.deepEqual(info, {actualBytes: 299008, backingFile: '/c/root.img', snapshots: [{tag: 'hapair-blank', vmStateBytes: 0}, {tag: 'hapair-s-x', vmStateBytes: 145_000_000}]})
  assert.deepEqual(parseQemuImgInfo('{"actual-size": 5}').snapshots, [])
})

const meta = (over: Partial<CheckpointMeta> = {}): CheckpointMeta => ({
  name: 'storage', tag: 'hapair-storage-1', imageHash: 'img-a', savedAt: '2026-12-07T10:00:00.000Z', guests: ['node1', 'node2'], drbd: {}, saveMs: 1, ...over,
})

test('restore refusals: missing name, lab down, another image, snapshot gone from a disk', () => {
  const tags = {node1: ['hapair-storage-1'], node2: ['hapair-storage-1']}
  assert.match(restoreRefusal({name: 'nope', labImage: 'img-a'})!, /no checkpoint named 'nope'/)
  assert.match(restoreRefusal({name: 'storage', meta: meta()})!, /no lab is up/)
  assert.match(restoreRefusal({name: 'storage', meta: meta(), labImage: 'img-b', tagsByGuest: tags})!, /belongs to base image img-a; the lab runs image img-b/)
  assert.match(restoreRefusal({name: 'storage', meta: meta(), labImage: 'img-a', tagsByGuest: {...tags, node2: []}})!, /missing from the disks of node2/)
  assert.equal(restoreRefusal({name: 'storage', meta: meta(), labImage: 'img-a', tagsByGuest: tags}), undefined)
})

test('records: committed by rename (no .tmp left), listed oldest first, a torn record is no checkpoint', () => {
  const paths = freshPaths()
  commitCheckpoint(paths, meta({name: 'b', savedAt: '2026-12-07T11:00:00.000Z'}))
  commitCheckpoint(paths, meta({name: 'a', savedAt: '2026-12-07T10:00:00.000Z'}))
  writeFileSync(join(checkpointsDir(paths), 'torn.json'), '{"name": "to')
  assert.deepEqual(readdirSync(checkpointsDir(paths)).sort(), ['a.json', 'b.json', 'torn.json'])
  assert.deepEqual(listCheckpointRecords(paths).map((c) => c.name), ['a', 'b'])
  assert.equal(readCheckpoint(paths, 'torn'), undefined)
})

test('save stops both guests before saving either, saves both, continues both, then commits the record', async () => {
  const paths = freshPaths()
  const {m, calls} = fakeMachine({drbd: [CONNECTED]})
  const saved = await saveCheckpoint('storage', m, paths)
  const tag = saved.tag
  assert.deepEqual(calls, ['node1 stop', 'node2 stop', `node1 savevm ${tag}`, `node2 savevm ${tag}`, 'node1 cont', 'node2 cont'])
  assert.deepEqual(readCheckpoint(paths, 'storage'), saved)
  assert.equal(saved.imageHash, 'img-a')
  assert.deepEqual(saved.drbd, {node1: 'Connected Primary/Secondary UpToDate/UpToDate', node2: 'Connected Primary/Secondary UpToDate/UpToDate'})
})

test('a failed save writes no record, continues both guests and drops the half-saved snapshots', async () => {
  const paths = freshPaths()
  const {m, calls, tags} = fakeMachine({failSavevm: 'node2'})
  await assert.rejects(saveCheckpoint('storage', m, paths), /savevm .*node2: Error: No space left on device/)
  assert.equal(readCheckpoint(paths, 'storage'), undefined)
  assert.ok(calls.includes('node1 cont') && calls.includes('node2 cont'), calls.join('\n'))
  assert.equal(tags.node1.size, 0)
  assert.equal(existsSync(join(checkpointsDir(paths), 'storage.json')), false)
})

test('saving over a name replaces it: the new record first, then the old snapshot is deleted', async () => {
  const paths = freshPaths()
  const {m, tags, advance} = fakeMachine()
  const first = await saveCheckpoint('storage', m, paths)
  advance(5000)
  const second = await saveCheckpoint('storage', m, paths)
  assert.notEqual(first.tag, second.tag)
  assert.deepEqual([...tags.node1], [second.tag])
  assert.equal(readCheckpoint(paths, 'storage')!.tag, second.tag)
})

test('save and restore with the lab down, a bad name, or a missing name: refused with exit 2, nothing stopped', async () => {
  const paths = freshPaths()
  const down = fakeMachine({image: undefined})
  await assert.rejects(saveCheckpoint('storage', down.m, paths), (e: any) => e instanceof CheckpointRefused && e.exitCode === 2 && /no lab is up/.test(e.message))
  commitCheckpoint(paths, meta())
  await assert.rejects(restoreCheckpoint('storage', down.m, paths), (e: any) => e.exitCode === 2 && /no lab is up/.test(e.message))
  const up = fakeMachine()
  await assert.rejects(restoreCheckpoint('../etc', up.m, paths), (e: any) => e.exitCode === 2 && /bad checkpoint name/.test(e.message))
  await assert.rejects(restoreCheckpoint('other', up.m, paths), (e: any) => e.exitCode === 2 && /no checkpoint named 'other'/.test(e.message))
  await assert.rejects(removeCheckpoint('other', up.m, paths), (e: any) => e.exitCode === 2)
  assert.deepEqual([...down.calls, ...up.calls], [])
})

test('restore onto another image: refused with exit 2 before anything is stopped', async () => {
  const paths = freshPaths()
  const {m, calls} = fakeMachine({image: 'img-b'})
  commitCheckpoint(paths, meta())
  await assert.rejects(restoreCheckpoint('storage', m, paths), (e: any) => e.exitCode === 2 && /belongs to base image img-a/.test(e.message))
  assert.deepEqual(calls, [])
})

test('restore: both stopped, both loaded, both continued, then both clocks stepped to the host clock', async () => {
  const paths = freshPaths()
  const {m, calls} = fakeMachine()
  const saved = await saveCheckpoint('storage', m, paths)
  calls.length = 0
  const r = await restoreCheckpoint('storage', m, paths)
  assert.deepEqual(calls.slice(0, 6), ['node1 stop', 'node2 stop', `node1 loadvm ${saved.tag}`, `node2 loadvm ${saved.tag}`, 'node1 cont', 'node2 cont'])
  const steps = calls.slice(6)
  assert.equal(steps.length, 2)
  for (const s of steps) assert.match(s, new RegExp(`^node[12] ssh date -u -s @${(m.now() / 1000).toFixed(3)} `))
  assert.deepEqual(r.drbd, {node1: null, node2: null})
})

test('restore with a guest powered off (a power-loss drill): its qemu starts stopped, then both are loaded and continued together; save refuses', async () => {
  const paths = freshPaths()
  const up = fakeMachine()
  const saved = await saveCheckpoint('storage', up.m, paths)
  const {m, calls} = fakeMachine({off: ['node2']})
  for (const g of ['node1', 'node2']) await m.hmp(g, `savevm ${saved.tag}`)
  calls.length = 0
  await assert.rejects(saveCheckpoint('again', m, paths), (e: any) => e.exitCode === 2 && /no lab is up/.test(e.message))
  assert.deepEqual(calls, [])
  await restoreCheckpoint('storage', m, paths)
  assert.deepEqual(calls.slice(0, 7), ['node2 start stopped', 'node1 stop', 'node2 stop', `node1 loadvm ${saved.tag}`, `node2 loadvm ${saved.tag}`, 'node1 cont', 'node2 cont'])
})

test('restore waits for DRBD to reconnect UpToDate/UpToDate when it was connected at save', async () => {
  const paths = freshPaths()
  const {m} = fakeMachine({drbd: [CONNECTED, ' 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----\n', ' 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----\n', CONNECTED]})
  await saveCheckpoint('storage', m, paths)
  const r = await restoreCheckpoint('storage', m, paths)
  assert.equal(r.drbd.node1, 'Connected Primary/Secondary UpToDate/UpToDate')
})

test('restore fails when DRBD gets back only through a resync (the checkpoint was not coherent)', async () => {
  const paths = freshPaths()
  const {m} = fakeMachine({drbd: [CONNECTED, CONNECTED, SYNCING]})
  await saveCheckpoint('storage', m, paths)
  await assert.rejects(restoreCheckpoint('storage', m, paths), /DRBD resynced after the restore .*SyncSource/)
})

test('restore fails when DRBD does not come back within the settle time (fake clock)', async () => {
  const paths = freshPaths()
  const {m} = fakeMachine({drbd: [CONNECTED, CONNECTED, ' 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----\n']})
  await saveCheckpoint('storage', m, paths)
  await assert.rejects(restoreCheckpoint('storage', m, paths, {settleTimeoutMs: 5000}), /did not come back Connected UpToDate\/UpToDate.*WFConnection/)
})

test('rm deletes the record first, then the snapshots; list shows memory per checkpoint and disk use', async () => {
  const paths = freshPaths()
  const {m, tags, advance} = fakeMachine()
  await saveCheckpoint('a', m, paths)
  advance(1000)
  await saveCheckpoint('b', m, paths)
  commitCheckpoint(paths, meta({name: 'old', imageHash: 'img-z', tag: 'hapair-old-1', savedAt: '2025-01-01T00:00:00.000Z'}))
  const listed = await listCheckpoints(m, paths)
  assert.deepEqual(listed.checkpoints.map((c) => [c.name, c.restorable, c.vmStateBytes]), [['old', false, 0], ['a', true, 200], ['b', true, 200]])
  assert.equal(listed.diskBytes, 2000)
  await removeCheckpoint('a', m, paths)
  assert.equal(readCheckpoint(paths, 'a'), undefined)
  assert.equal(tags.node1.size, 1)
})
