import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {testCluster} from '../../helpers/cluster.js'
import {recorded} from '../../helpers/recorded.js'
import {UsageError} from '../../../src/errors.js'
import {pacemakerSchema} from '../../../src/config/schema.js'
import {preferredNode} from '../../../src/stacks/preferred-node.js'
import {findStack, READY_STACKS, stackFor, readyStackOf, serviceOf, STACK_DESCRIPTORS, stackOf} from '../../../src/stacks/registry.js'
import {servingShape} from '../../../src/stacks/serving-shape.js'

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

describe('the stack registry', () => {
  it('maps stack x service to one descriptor; the service defaults from the file', () => {
    assert.equal(stackOf({stack: 'keepalived', service: 'nfs'}).id, 'nfs-keepalived')
    assert.equal(serviceOf({stack: 'keepalived', nfs: testCluster().config.nfs}), 'nfs')
    assert.equal(serviceOf({stack: 'heartbeat'}), 'filesystem')
    assert.equal(serviceOf({stack: 'lvs'}), 'lvs')
    assert.equal(stackOf({stack: 'lvs'}).manager.id, 'keepalived', 'stack: lvs is keepalived directing an LVS pool')
    assert.equal(stackOf({stack: 'heartbeat', service: 'filesystem'}).id, 'drbd-heartbeat')
    assert.equal(findStack('pacemaker', 'lvs'), undefined)
    assert.equal(stackFor('lvs', 'nfs'), undefined, 'stack: lvs serves only lvs')
    assert.equal(stackFor('lvs', 'lvs')?.id, 'lvs-keepalived')
    assert.throws(() => stackOf({stack: 'pacemaker', service: 'lvs'}), UsageError)
  })

  it('ids are unique and each ready stack has its runbooks in runbooks/', () => {
    assert.equal(new Set(STACK_DESCRIPTORS.map((s) => s.id)).size, STACK_DESCRIPTORS.length)
    assert.deepEqual(READY_STACKS.map((s) => s.id), ['nfs-keepalived'])
    for (const s of READY_STACKS) {
      for (const rb of [s.runbook, s.haInstallRunbook]) assert.ok(statSync(join(ROOT, 'runbooks', `${rb}.yaml`)).isFile(), `${s.id}: no runbooks/${rb}.yaml`)
    }
  })

  it('a stack whose steps are not built is refused before any connection, naming what is ready', () => {
    assert.equal(readyStackOf(testCluster().config).haInstallRunbook, 'ha-keepalived')
    assert.throws(
      () => readyStackOf({stack: 'pacemaker', service: 'nfs'}),
      (e: UsageError) => e instanceof UsageError && /not built/.test(e.message) && /nfs-keepalived/.test(e.hint ?? ''),
    )
  })

  it('managers that own the DRBD role say so, and pacemaker keeps DRBD off at boot', () => {
    assert.equal(stackOf({stack: 'keepalived', service: 'nfs'}).manager.ownsDrbdRole, false)
    assert.equal(stackOf({stack: 'heartbeat', service: 'nfs'}).manager.ownsDrbdRole, true)
    assert.equal(stackOf({stack: 'pacemaker', service: 'nfs'}).manager.drbdUpAtBoot, false)
  })

  it('peer channels: replication first, then the manager; udpu opens a port range', () => {
    const {config} = testCluster()
    assert.deepEqual(stackOf(config).peerChannels(config).map((c) => c.what), [`DRBD ${config.drbd.resource}`, 'keepalived VRRP'])
    const pm = {...config, stack: 'pacemaker' as const, pacemaker: pacemakerSchema.parse({clusterName: 'x', transport: 'udpu', fencing: 'none'})}
    const corosync = stackOf(pm).peerChannels(pm).find((c) => c.what.startsWith('corosync'))
    assert.ok(corosync && corosync.proto === 'udp')
    assert.deepEqual(corosync.port, [5404, 5405])
  })

  it('no code outside src/stacks compares stack names', () => {
    const offenders: string[] = []
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name)
        if (statSync(path).isDirectory()) {
          if (!path.endsWith(join('src', 'stacks'))) walk(path)
        } else if (name.endsWith('.ts')) {
          readFileSync(path, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (/\bstack\s*[!=]==\s*'|'\s*[!=]==\s*\w*\.?stack\b|case '(keepalived|heartbeat|pacemaker|lvs)'/.test(line)) offenders.push(`${path}:${i + 1}: ${line.trim()}`)
            })
        }
      }
    }
    walk(join(ROOT, 'src'))
    assert.deepEqual(offenders, [])
  })
})

describe('the nfs-keepalived descriptor', () => {
  const stack = stackOf(testCluster().config)

  it('names its unit, runbooks and transition log', () => {
    assert.equal(stack.id, 'nfs-keepalived')
    assert.equal(stack.manager.haUnit, 'keepalived')
    assert.equal(stack.runbook, 'nfs-keepalived')
    assert.equal(stack.haInstallRunbook, 'ha-keepalived')
    assert.equal(stack.transitionLog, '/var/log/hapair-ha.log')
  })

  it('detection bound: 3 adverts plus the standby skew (priority 90: 166/256 of an advert)', () => {
    assert.equal(stack.manager.detectionBoundMs(testCluster().config), Math.ceil((3 + 166 / 256) * 1000))
    assert.equal(stack.manager.detectionBoundMs(testCluster({keepalived: {virtualRouterId: 51, advertInt: 2}}).config), Math.ceil((6 + 332 / 256) * 1000))
  })

  it('the recorded clean-stop failover fits well inside the crash bound', () => {
    const moved = /took the VIP (\d+) ms/.exec(recorded('keepalived', 'ip-after-failover-new-master').note!)
    assert.ok(moved)
    assert.ok(Number(moved[1]) < stack.manager.detectionBoundMs(testCluster().config))
  })

  it('service failure bound: fall checks interval apart plus one restart attempt', () => {
    assert.equal(stack.serviceFailureBoundMs(testCluster().config), (2 * 2 + 30) * 1000)
  })
})

describe('preferredNode', () => {
  it('is the higher priority, whichever position it has; the first node by default', () => {
    assert.equal(preferredNode(testCluster().config).name, 'node1')
    const {config} = testCluster()
    const swapped = {...config, nodes: [{...config.nodes[0], priority: 50}, {...config.nodes[1], priority: 200}]}
    assert.equal(preferredNode(swapped).name, 'node2')
  })
})

describe('the heartbeat descriptors', () => {
  const hb = (service: 'nfs' | 'filesystem') => stackOf({stack: 'heartbeat', service})

  it('nfs-heartbeat floats the VIP and serves NFS; drbd-heartbeat holds the mount alone', () => {
    assert.deepEqual(servingShape(hb('nfs')), {haUnit: 'heartbeat', vip: true, service: 'nfs'})
    assert.deepEqual(servingShape(hb('filesystem')), {haUnit: 'heartbeat', vip: false})
    assert.deepEqual(servingShape(stackOf(testCluster().config)), {haUnit: 'keepalived', vip: true, service: 'nfs'})
  })

  it('haresources groups: the VIP first (sm-notify speaks as it), then drbddisk, Filesystem and NFS', () => {
    const {config} = testCluster({stack: 'heartbeat', keepalived: undefined})
    assert.deepEqual(hb('nfs').heartbeat!.resources(config), ['hapair-vip', 'drbddisk::r0', 'hapair-fs', 'hapair-nfs'])
    assert.deepEqual(hb('filesystem').heartbeat!.resources(config), ['drbddisk::r0', 'hapair-fs'])
    assert.equal(stackOf(testCluster().config).heartbeat, undefined)
  })

  it('runbooks: nfs-heartbeat / ha-heartbeat and drbd-heartbeat / ha-heartbeat-filesystem, all in runbooks/', () => {
    assert.deepEqual([hb('nfs').runbook, hb('nfs').haInstallRunbook, hb('filesystem').runbook, hb('filesystem').haInstallRunbook], ['nfs-heartbeat', 'ha-heartbeat', 'drbd-heartbeat', 'ha-heartbeat-filesystem'])
    for (const rb of ['nfs-heartbeat', 'ha-heartbeat', 'drbd-heartbeat', 'ha-heartbeat-filesystem']) assert.ok(statSync(join(ROOT, 'runbooks', `${rb}.yaml`)).isFile(), rb)
    assert.equal(hb('nfs').ready, false, 'ready once the lab suite proves them')
  })

  it('the NFS monitor bounds a dead NFS server: two looks two seconds apart, then one restart', () => {
    const {config} = testCluster({stack: 'heartbeat', keepalived: undefined})
    assert.equal(hb('nfs').serviceFailureBoundMs(config), (2 * 2 + 30) * 1000)
    assert.equal(hb('filesystem').serviceFailureBoundMs(config), 0)
  })
})
