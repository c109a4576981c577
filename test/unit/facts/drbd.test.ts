import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {
  drbdAdjustFact,
  drbdFact,
  drbdKernelFact,
  drbdStateFact,
  majorOf,
  parseDrbdOutput,
  parseDrbdStatusJson,
  parseDrbdStatusText,
  parseGetGi,
  parseProcDrbd,
} from '../../../src/facts/drbd.js'
import {recorded} from '../../helpers/recorded.js'
import {TEST_SECRETS} from '../../helpers/cluster.js'

const proc = (name: string) => parseProcDrbd(recorded('drbd', name).output).minors.get(0)!

describe('/proc/drbd (8.4), in the kernel print format (docs fixtures until the lab records them)', () => {
  it('reads the version and an unconfigured minor', () => {
    const p = parseProcDrbd(recorded('drbd', 'proc84-unconfigured').output)
    assert.equal(p.version, '8.4.11')
    assert.equal(p.minors.get(0)!.unconfigured, true)
    assert.equal(p.minors.get(0)!.connected, false)
  })

  it('waiting for the peer', () => {
    const m = proc('proc84-wfconnection')
    assert.equal(m.connection, 'WFConnection')
    assert.equal(m.connecting, true)
    assert.equal(m.connected, false)
    assert.equal(m.role, 'Secondary')
    assert.equal(m.peerRole, 'Unknown')
    assert.equal(m.disk, 'Inconsistent')
    assert.equal(m.peerDisk, 'DUnknown')
    assert.equal(m.protocol, 'C')
    assert.equal(m.outOfSyncKiB, 1048508)
  })

  it('connected fresh, converged, given up', () => {
    const fresh = proc('proc84-connected-inconsistent')
    assert.equal(fresh.connected, true)
    assert.equal(fresh.replication, 'Established')
    assert.deepEqual([fresh.disk, fresh.peerDisk], ['Inconsistent', 'Inconsistent'])
    const done = proc('proc84-uptodate')
    assert.deepEqual([done.role, done.peerRole, done.disk, done.peerDisk], ['Primary', 'Secondary', 'UpToDate', 'UpToDate'])
    assert.equal(done.sync, null)
    const alone = proc('proc84-standalone')
    assert.equal(alone.connection, 'StandAlone')
    assert.equal(alone.connected, false)
    assert.equal(alone.connecting, false)
    assert.equal(alone.protocol, null)
  })

  it('sync progress: percent, MiB remaining/total, ETA, speed (SyncSource and SyncTarget with want:)', () => {
    for (const name of ['proc84-syncsource', 'proc84-synctarget']) {
      const m = proc(name)
      assert.equal(m.connected, true, name)
      assert.deepEqual(m.sync, {percent: 15.3, remainingKiB: 8676 * 1024, totalKiB: 10236 * 1024, etaSeconds: 86, speedKiBs: 102540, stalled: false}, name)
    }
    assert.equal(proc('proc84-syncsource').replication, 'SyncSource')
    assert.equal(proc('proc84-synctarget').replication, 'SyncTarget')
  })

  it('a small device reports K, and a stalled sync says so', () => {
    const m = proc('proc84-sync-small-stalled')
    assert.deepEqual(m.sync, {percent: 50, remainingKiB: 2048, totalKiB: 4096, etaSeconds: 2, speedKiBs: 1024, stalled: true})
  })

  it('DRBD 9 keeps only its version there', () => {
    const p = parseProcDrbd(recorded('drbd', 'proc9-version').output)
    assert.equal(p.version, '9.2.8')
    assert.equal(p.minors.size, 0)
    assert.equal(majorOf(p.version), 9)
    assert.equal(majorOf('8.4.11'), 8)
    assert.equal(majorOf(null), null)
  })
})

describe('DRBD 9 status (drbd-utils print formats; docs fixtures)', () => {
  it('drbdsetup status --json during a sync: roles, states, progress with rate and ETA', () => {
    const s = parseDrbdStatusJson(recorded('drbd', 'status9-json-syncsource').output)!
    assert.deepEqual([s.role, s.peerRole, s.disk, s.peerDisk, s.connection, s.replication], ['Primary', 'Secondary', 'UpToDate', 'Inconsistent', 'Connected', 'SyncSource'])
    assert.equal(s.connected, true)
    assert.equal(s.sync!.percent, 15.38)
    assert.equal(s.sync!.etaSeconds, 89)
    assert.equal(s.sync!.speedKiBs, Math.round(98.32 * 1024))
    assert.equal(s.sync!.remainingKiB, 8872460)
    assert.equal(s.sync!.totalKiB, 20970808 / 2)
  })
  it('drbdsetup status --json while the peer is away', () => {
    const s = parseDrbdStatusJson(recorded('drbd', 'status9-json-connecting').output)!
    assert.equal(s.connecting, true)
    assert.equal(s.connected, false)
    assert.equal(s.sync, null)
  })
  it('drbdsetup status --json for a resource that is not up', () => {
    assert.equal(parseDrbdStatusJson("r0: No such resource\n"), null)
  })
  it('drbdadm status text: syncing, connecting, converged', () => {
    const sync = parseDrbdStatusText(recorded('drbd', 'status9-text-syncsource').output)!
    assert.deepEqual([sync.role, sync.disk, sync.peerRole, sync.peerDisk, sync.replication], ['Primary', 'UpToDate', 'Secondary', 'Inconsistent', 'SyncSource'])
    assert.equal(sync.sync!.percent, 15.38)
    const waiting = parseDrbdStatusText(recorded('drbd', 'status9-text-connecting').output)!
    assert.equal(waiting.connecting, true)
    assert.equal(waiting.peerDisk, 'DUnknown')
    const done = parseDrbdStatusText(recorded('drbd', 'status9-text-uptodate').output)!
    assert.deepEqual([done.connected, done.disk, done.peerDisk, done.sync], [true, 'UpToDate', 'UpToDate', null])
  })
})

describe('drbdFact on recorded drbd-utils 9.22 output (host without the module)', () => {
  it('every recorded fact fixture parses to what was recorded, with the current command', () => {
    for (const name of ['fact-no-module-blank', 'fact-no-module-fresh-md', 'fact-no-module-used-md', 'fact-no-config']) {
      const f = recorded('drbd', name)
      assert.equal(f.source, 'recorded')
      assert.equal(f.command, drbdFact('hapairrec', '/dev/drbd9').command, `${name}: re-run record.mjs`)
      assert.deepEqual(parseDrbdOutput(f.output, 9), f.fact, name)
    }
  })
  it('no module: versions null, drbd-utils present, host name read', () => {
    const f = parseDrbdOutput(recorded('drbd', 'fact-no-module-blank').output, 9)
    assert.deepEqual([f.loaded, f.available, f.major, f.utils, f.state], [null, null, null, true, null])
    assert.equal(f.hostname, 'vm')
  })
  it('metadata: none on a blank partition, fresh after create-md, used after a data generation', () => {
    assert.deepEqual(parseDrbdOutput(recorded('drbd', 'fact-no-module-blank').output, 9).gi, {kind: 'none', message: 'No valid meta data found'})
    const fresh = parseDrbdOutput(recorded('drbd', 'fact-no-module-fresh-md').output, 9).gi
    assert.equal(fresh.kind, 'present')
    assert.equal(fresh.kind === 'present' && fresh.fresh, true)
    const used = parseDrbdOutput(recorded('drbd', 'fact-no-module-used-md').output, 9).gi
    assert.equal(used.kind === 'present' && used.fresh, false)
    assert.equal(used.kind === 'present' && used.current, '8A1E3C4B5D6F7081')
    assert.equal(parseDrbdOutput(recorded('drbd', 'fact-no-config').output, 9).gi.kind, 'no-config')
  })
  it('an 8.4 module: state from /proc/drbd for the resource minor', () => {
    const out = `@@drbd hostname node1\n@@drbd loaded 8.4.11\n@@drbd available 8.4.11\n@@drbd utils yes\n@@drbd proc\n${recorded('drbd', 'proc84-syncsource').output}@@drbd gi\n8A1E3C4B5D6F7081:0000000000000000:0000000000000004:0000000000000000:1:1:1:1:0:0:0\n@@drbd gi-rc 0\n`
    const f = parseDrbdOutput(out, 0)
    assert.equal(f.major, 8)
    assert.equal(f.state!.replication, 'SyncSource')
    assert.equal(parseDrbdOutput(out, 1).state, null, 'another minor is not configured')
    const unconf = `@@drbd loaded 8.4.11\n@@drbd proc\n${recorded('drbd', 'proc84-unconfigured').output}`
    assert.equal(parseDrbdOutput(unconf, 0).state, null)
  })
  it('a 9 module: state from drbdsetup status --json', () => {
    const out = `@@drbd hostname node1\n@@drbd loaded 9.2.8\n@@drbd utils yes\n@@drbd proc\n${recorded('drbd', 'proc9-version').output}@@drbd status9\n${recorded('drbd', 'status9-json-syncsource').output}@@drbd gi\n@@drbd gi-rc 1\n`
    const f = parseDrbdOutput(out, 0)
    assert.equal(f.major, 9)
    assert.equal(f.state!.sync!.percent, 15.38)
    const down = parseDrbdOutput('@@drbd loaded 9.2.8\n@@drbd status9\nr0: No such resource\n', 0)
    assert.equal(down.state, null)
  })
  it('kernel and state facts share the parser', () => {
    const out = recorded('drbd', 'fact-no-module-fresh-md').output
    assert.deepEqual(drbdKernelFact.parse(out, 0), {hostname: 'vm', loaded: null, available: null, utils: true, major: null})
    assert.equal('gi' in drbdStateFact('r0', '/dev/drbd9').parse(out, 0), false)
  })
})

describe('get-gi and adjust', () => {
  it('get-gi lines, errors and the fresh rule', () => {
    const fresh = parseGetGi('0000000000000004:0000000000000000:0000000000000000:0000000000000000:0:0:0:0:0:0:0\n', 0)
    assert.equal(fresh.kind === 'present' && fresh.fresh, true)
    const synced = parseGetGi('0000000000000004:0000000000000000:0000000000000004:0000000000000000:1:1:0:0:0:0:0\n', 0)
    assert.equal(synced.kind === 'present' && synced.fresh, false, 'a history UUID means it held data')
    assert.equal(parseGetGi("'r0' not defined in your config (for this host).\n", 10).kind, 'no-config')
    assert.deepEqual(parseGetGi('open(/dev/vdb1) failed: No such file or directory\n', 20), {kind: 'error', message: 'open(/dev/vdb1) failed: No such file or directory'})
  })
  it('drbdadm -d adjust on a down resource lists the up commands, with the secret hidden', () => {
    const f = recorded('drbd', 'adjust-no-module')
    const r = drbdAdjustFact('hapairrec').parse(f.output, f.exitCode!)
    assert.equal(f.command, drbdAdjustFact('hapairrec').command)
    assert.equal(r.error, null)
    assert.deepEqual(r.commands.map((c) => c.split(' ').slice(0, 2).join(' ')), ['drbdsetup-84 new-resource', 'drbdsetup-84 new-minor', 'drbdmeta 9', 'drbdsetup-84 attach', 'drbdsetup-84 connect'])
    assert.ok(!f.output.includes(TEST_SECRETS.drbdSharedSecret), 'the recorded output holds no secret')
    assert.match(f.output, /--shared-secret=<hidden>/)
  })
  it('adjust failing is an error, not "nothing to do"', () => {
    const r = drbdAdjustFact('r0').parse("'r0' not defined in your config (for this host).\n", 10)
    assert.deepEqual(r.commands, [])
    assert.match(r.error!, /not defined/)
  })
})
