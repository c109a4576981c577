/**
 * `hapair run lvs-keepalived --dry-run` on fresh hosts, through the command's own code path
 * (validation, one connection per host, prefetch, every step's plan, the state file), with
 * canned-facts hosts instead of SSH. The stack is not `ready` (no lab proof yet); `run` takes it.
 */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runRunbookCommand} from '../../../src/engine/runbook-command.js'
import {StateFile} from '../../../src/state/state-file.js'
import {stateDirFor} from '../../../src/engine/session.js'
import type {Connector} from '../../../src/transport/connect-all.js'
import {CannedFactsHost} from '../../helpers/canned-facts-host.js'
import {LVS_CLUSTER_YAML} from '../../helpers/lvs-cluster.js'

const ipJson = (ifname: string, address: string, prefix: number) => JSON.stringify([{ifname, flags: ['UP', 'LOWER_UP'], addr_info: [{family: 'inet', local: address, prefixlen: prefix}]}])
const SYSCTL_DEFAULTS = ['all.arp_ignore', 'all.arp_announce', 'lo.arp_ignore', 'lo.arp_announce'].map((k) => `net.ipv4.conf.${k}=0`).join('\n')

/** A fresh Debian 12 director: nothing installed, nothing written. */
const director = (name: string, ip: string) => ({
  os: `id=debian\nlike=\nversion=12\npretty=Debian GNU/Linux 12 (bookworm)\npm=apt-get\nhostname=${name}\ninit=systemd\n`,
  installed: '',
  repos: '@none\n',
  loaded: 'absent\n',
  modulesLoad: 'missing\n',
  notify: 'missing\n',
  conf: 'missing\n',
  dropIn: 'missing\n',
  services: 'keepalived\tinactive\tnot-found\n',
  vip: ipJson('eth0', ip, 24),
  serving: 'ip_vs: not loaded\n',
})

/** A fresh real server whose web server already answers the health path. */
const realServer = () => ({
  file: 'missing\n',
  live: SYSCTL_DEFAULTS,
  unit: 'missing\n',
  services: 'hapair-lvs-vip.service\tinactive\tnot-found\n',
  lo: ipJson('lo', '127.0.0.1', 8),
  arp: SYSCTL_DEFAULTS,
  local: 'HTTP/1.1 200 OK\r\n',
  vip: 'vip: not on lo\n',
})

describe('hapair run lvs-keepalived --dry-run (fake hosts)', () => {
  it('plans every step on the right hosts, reads each host once, changes nothing, records the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hapair-lvs-dry-'))
    const configFile = join(dir, 'hapair.yaml')
    writeFileSync(configFile, LVS_CLUSTER_YAML)
    process.env.HAPAIR_SSH_CONFIG = 'none'
    const hosts = new Map<string, CannedFactsHost>([
      ['node1', new CannedFactsHost('node1', director('node1', '192.168.77.11'))],
      ['node2', new CannedFactsHost('node2', director('node2', '192.168.77.12'))],
      ['web1', new CannedFactsHost('web1', realServer())],
      ['web2', new CannedFactsHost('web2', realServer())],
    ])
    const dialled: string[] = []
    const connector: Connector = async (t) => {
      dialled.push(t.node)
      return hosts.get(t.node)!
    }
    const printed: string[] = []
    const summary = await runRunbookCommand({
      command: 'run lvs-keepalived',
      runbook: 'lvs-keepalived',
      configFile,
      flags: {'dry-run': true, 'reset-state': false, 'accept-new-host-keys': false},
      json: true,
      interactive: false,
      print: (t) => printed.push(t),
      connector,
    })

    assert.deepEqual(dialled.sort(), ['node1', 'node2', 'web1', 'web2'])
    assert.equal(summary.status, 'planned')
    const byId = Object.fromEntries(summary.steps.map((s) => [s.id, s]))
    assert.deepEqual(summary.steps.map((s) => [s.id, s.status]), [
      ['lvs.arp', 'planned'],
      // Refuses on today's facts (ARP not set yet); in a dry run that is "depends on earlier changes".
      ['lvs.loopback', 'planned'],
      ['lvs.backend', 'unchanged'],
      ['keepalived.packages', 'planned'],
      ['lvs.packages', 'planned'],
      ['lvs.module', 'planned'],
      ['lvs.notify', 'planned'],
      ['keepalived.config', 'planned'],
      ['keepalived.service', 'planned'],
    ])
    const hostsOf = (id: string) => [...new Set(byId[id].planned.map((p) => p.split(':')[0]))]
    assert.deepEqual(hostsOf('lvs.arp'), ['web1', 'web2'])
    assert.match(byId['lvs.loopback'].notes[0], /planned after earlier changes; .*web1: ARP is not left to the director yet/)
    assert.deepEqual(byId['lvs.backend'].notes, ['web1: answers 200 on /health on 127.0.0.1', 'web2: answers 200 on /health on 127.0.0.1'])
    assert.deepEqual(hostsOf('lvs.packages'), ['node1', 'node2'])
    assert.ok(byId['lvs.packages'].planned.every((p) => /install ipvsadm/.test(p)))
    assert.deepEqual(hostsOf('keepalived.config'), ['node1', 'node2'])
    assert.ok(byId['keepalived.config'].planned.some((p) => p.includes('virtual_server 192.168.77.100 80 {')), 'the diff shows the virtual server')
    assert.ok(byId['keepalived.config'].planned.every((p) => !p.includes('k8pass') && !/auth_pass [^<]/.test(p)), 'no secret in the plan')
    assert.deepEqual(hostsOf('keepalived.service'), ['node1', 'node2'])

    // One prefetch per host covers every step before anything changes; nothing but facts ran (CannedFactsHost throws otherwise).
    assert.deepEqual(summary.roundTrips, {node1: 1, node2: 1, web1: 1, web2: 1})
    assert.deepEqual(hosts.get('web1')!.asked.filter((n) => n === 'local'), ['local'])

    const last = new StateFile(stateDirFor(configFile)).runs.at(-1)!
    assert.equal(last.dryRun, true)
    assert.equal(last.runbook, 'lvs-keepalived')
    assert.deepEqual(Object.keys(last.steps.find((s) => s.id === 'lvs.arp')!.nodes).sort(), ['web1', 'web2'], 'the state file records the real servers')
  })
})
